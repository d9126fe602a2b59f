// SHA-256 for the operation log's hash chain on the server: node:crypto's one-shot hash (no
// Hash object per record). The chain itself is defined once, in src/domain/log/log-record.ts.
import { hash } from 'node:crypto';
import type { Sha256Hex } from '../../domain/log/log-record';

export const sha256Hex: Sha256Hex = (bytes) => hash('sha256', bytes, 'hex');
