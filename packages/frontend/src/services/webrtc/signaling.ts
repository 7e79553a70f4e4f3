import type { CallDto, ClientMessages, IceCandidateDto } from '@pychat/protocol';
import type { WsService } from '../ws.service';

/** The call requests CallService sends (docs/webrtc.md §1); an interface so its tests can fake the server. */
export interface CallSignaling {
  start(roomId: number, video: boolean): Promise<{ callId: string }>;
  join(callId: string): Promise<{ call: CallDto }>;
  decline(callId: string): Promise<void>;
  leave(callId: string): Promise<void>;
  list(): Promise<CallDto[]>;
  offer(callId: string, toConnId: string, sdp: string): Promise<void>;
  answer(callId: string, toConnId: string, sdp: string): Promise<void>;
  candidate(callId: string, toConnId: string, candidate: IceCandidateDto): Promise<void>;
}

/** CallSignaling over the socket's typed request/reply; the events come back through the EventRouter. */
export class WsCallSignaling implements CallSignaling {
  constructor(private readonly ws: Pick<WsService, 'request'>) {}

  start(roomId: number, video: boolean): Promise<{ callId: string }> {
    return this.ws.request('call.start', { roomId, video });
  }

  join(callId: string): Promise<{ call: CallDto }> {
    return this.ws.request('call.join', { callId });
  }

  async decline(callId: string): Promise<void> {
    await this.ws.request('call.decline', { callId });
  }

  async leave(callId: string): Promise<void> {
    await this.ws.request('call.leave', { callId });
  }

  async list(): Promise<CallDto[]> {
    return (await this.ws.request('call.list', {})).calls;
  }

  async offer(callId: string, toConnId: string, sdp: string): Promise<void> {
    await this.ws.request('rtc.offer', { callId, toConnId, sdp });
  }

  async answer(callId: string, toConnId: string, sdp: string): Promise<void> {
    await this.ws.request('rtc.answer', { callId, toConnId, sdp });
  }

  async candidate(
    callId: string,
    toConnId: string,
    candidate: ClientMessages['rtc.candidate']['candidate'],
  ): Promise<void> {
    await this.ws.request('rtc.candidate', { callId, toConnId, candidate });
  }
}
