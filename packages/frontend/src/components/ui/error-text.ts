import { ApiError } from '../../services/api.service';
import { WsDisconnectedError, WsRequestError } from '../../services/ws.service';

/** A sentence for the user out of whatever a service call threw. */
export function errorText(error: unknown): string {
  if (error instanceof WsDisconnectedError) {
    return 'No connection to the server. Try again once you are back online.';
  }
  if (error instanceof WsRequestError || error instanceof ApiError) {
    const issues = error.body.issues;
    if (issues?.length) {
      return issues.map((issue) => issue.message).join('; ');
    }
    return error.body.message || error.body.code;
  }
  if (error instanceof TypeError) {
    return 'Cannot reach the server. Check your connection.';
  }
  return error instanceof Error ? error.message : 'Something went wrong.';
}

/** The stable error code of a failed service call, if the server sent one. */
export function errorCode(error: unknown): string | null {
  return error instanceof WsRequestError || error instanceof ApiError ? error.body.code : null;
}
