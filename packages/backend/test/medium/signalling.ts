/**
 * Signalling payloads of the device-to-device specs (p2p rooms and transfers; calls take the SDP): the smallest
 * valid SDP, an offer, a host candidate.
 */
export const SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
export const OFFER = { description: { type: 'offer' as const, sdp: SDP } };
export const CANDIDATE = {
  candidate: { candidate: 'candidate:1 1 udp 2122260223 192.0.2.10 54321 typ host', sdpMid: '0', sdpMLineIndex: 0 },
};
