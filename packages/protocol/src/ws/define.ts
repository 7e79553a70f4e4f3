import type { z } from 'zod';

/** A client request: what the client sends and what the server answers in the `reply` frame. */
export interface RequestSpec<Req extends z.ZodType = z.ZodType, Rep extends z.ZodType = z.ZodType> {
  request: Req;
  reply: Rep;
}

export function request<Req extends z.ZodType, Rep extends z.ZodType>(req: Req, rep: Rep): RequestSpec<Req, Rep> {
  return { request: req, reply: rep };
}
