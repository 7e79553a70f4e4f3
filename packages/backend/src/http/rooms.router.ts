import { Id, LIMITS, type MembersResponse } from '@pychat/protocol';
import { Router } from 'express';
import { z } from 'zod';
import type { MessageService } from '../services/message.service';
import type { RoomService } from '../services/room.service';
import { currentUser } from './middleware/auth';
import { validate } from './validate';

const HistoryQuery = z.strictObject({
  beforeId: z.coerce.number().pipe(Id).optional(),
  threadId: z.coerce.number().pipe(Id).optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.historyPageMax).optional(),
});

export function roomsRouter(rooms: RoomService, messages: MessageService): Router {
  const router = Router();

  /** My rooms, channels and per-room state (the same data as session.ready). */
  router.get('/', async (_req, res) => {
    const { rooms: list, states, channels } = await rooms.snapshot(currentUser(res).id);
    res.json({ rooms: list, states, channels });
  });

  router.get('/:id/members', async (req, res) => {
    const roomId = validate(Id, Number(req.params.id));
    const body: MembersResponse = { members: await rooms.members(currentUser(res).id, roomId) };
    res.json(body);
  });

  router.get('/:id/messages', async (req, res) => {
    const roomId = validate(Id, Number(req.params.id));
    const query = validate(HistoryQuery, req.query);
    res.json(await messages.history(currentUser(res).id, { roomId, ...query }));
  });

  return router;
}
