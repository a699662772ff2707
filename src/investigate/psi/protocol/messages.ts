import { create } from '@bufbuild/protobuf';
import {
  IntersectRequestSchema,
  IntersectResponseSchema,
  PsiChunkSchema,
  type IntersectRequest,
  type IntersectResponse,
  type PsiList,
} from '../../../gen/cordon/v1/psi_pb.js';

/** Builders for the two directions' messages (psi.proto). */
export const toResponder = (message: IntersectRequest['message']): IntersectRequest => create(IntersectRequestSchema, { message });
export const toInitiator = (message: IntersectResponse['message']): IntersectResponse => create(IntersectResponseSchema, { message });
export const chunkOf = (list: PsiList, points: Uint8Array) => create(PsiChunkSchema, { list, points });
