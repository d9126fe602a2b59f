// SHA-256 for the log's hash chain in the renderer: a synchronous JS implementation (@noble/hashes),
// so it can run inside an IndexedDB transaction (WebCrypto's digest is async and would let the
// transaction commit before the record is written).
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Sha256Hex } from '../../../domain/log/log-record';

export const sha256Hex: Sha256Hex = (bytes) => bytesToHex(sha256(bytes));
