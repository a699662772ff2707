import { Buffer } from 'node:buffer';
import { CordonError } from '../../errors.js';
import { COPY_SIGNATURE, TEXT_OID } from '../../store/copy-binary.js';
import { copyBytes, TWO_32, writeTime } from './wire/copy-fields.js';
import { fieldTag, ProtoReader, WT_I32, WT_LEN, WT_VARINT } from './wire/proto-reader.js';
import { MAX_LABELS_PER_RECORD, MAX_TOKENS_PER_RECORD, TOKEN_BYTES } from './limits.js';
import {
  asciiRuleOk,
  headerProblem,
  LABEL_BYTES,
  RECORD_ID_BYTES,
  recordProblem,
  retractionProblem,
  type RecordFacts,
} from './validate-batch.js';

/**
 * A single-pass reader of cordon.v1.Batch for the acceptance path: it walks
 * the exact signed bytes, applies the content rules of validate-batch.ts (the
 * same functions validateBatch uses), and writes the `records` rows
 * (PostgreSQL binary COPY) as it goes, without building a message object.
 * On every input, its outcome equals
 * `fromBinary(BatchSchema, bytes)` → `validateBatch` → `recordRows`: the same
 * rows byte for byte, or the same content message; the exceptions are the
 * stricter wire rules and the provider_id guard below.
 *
 * How: one scan of the top level (header fields and counts; records are
 * stepped over by length, so the header is known before any row is written),
 * then one pass over the records and retractions. The wire primitives it
 * stands on are wire/proto-reader.ts; the COPY field writers,
 * wire/copy-fields.ts.
 *
 * Wire format: the protobuf encoding spec. Field numbers follow
 * proto/cordon/v1/common.proto (keep the two in sync; the unit tests compare
 * against the generated decoder). Unknown fields (all wire types, including
 * groups nested up to 64 deep) are skipped; absent fields take proto3
 * defaults; a singular scalar that occurs more than once keeps its last value;
 * a singular message (Record.template) that occurs more than once is merged
 * (its repeated fields concatenate); repeated uint32 (minhash) is read packed
 * and unpacked, mixed; int32/enum/uint32 varints keep their low 32 bits.
 *
 * It is stricter than @bufbuild/protobuf where that library is lenient, and
 * rejects: a field whose wire type does not match its declared type; a field
 * that runs past the end of its enclosing message; a varint longer than 10
 * bytes (also in unknown fields); a length that does not fit in 32 bits;
 * unknown groups nested over 64 deep. Strings must be valid UTF-8 (as proto3
 * requires, and as the generated decoder also checks).
 *
 * Errors are CordonError: INVALID_INPUT for malformed wire data
 * (`${where}: not a valid cordon.v1.Batch (records[3].tokens[1]: … at byte n)`)
 * and for content problems (`${validationWhere ?? where}:
 * records[17].tokens[2].value: must be 32 bytes`, worded by validate-batch.ts);
 * PERMISSION_DENIED only when `opts.signer` is given and provider_id differs.
 * Wire errors win over PERMISSION_DENIED, which wins over content problems, as
 * in verifySignedBatch. Lengths are checked before anything is read or
 * allocated; output grows with the bytes actually read.
 */

export interface DecodedBatch {
  providerId: string;
  seq: bigint;
  prevDigest: Uint8Array;
  createdMs: bigint;
  recordCount: number;
  retractionCount: number;
  /** In batch order. */
  recordIds: string[];
  /** In batch order. */
  retractions: { recordId: string; reason: string }[];
  /** Binary COPY payload for `records (RECORD_COLUMNS)`, header and trailer included (as recordRows returns it). */
  recordRows: Buffer;
}

export interface DecodeBatchOptions {
  /** Direct publications must be fresh (created_ms within MAX_CLOCK_SKEW_MS of `now`). */
  checkSkew: boolean;
  now?: number;
  /**
   * The member that signed the bytes: provider_id must equal it, else
   * PERMISSION_DENIED `${where}: provider_id '…' is not the signer '…'`.
   */
  signer?: string;
  /** Prefix of content-rule messages; defaults to `where`. verifySignedBatch words it `batch ${providerId}#${seq}`. */
  validationWhere?: (providerId: string, seq: bigint) => string;
}

/**
 * Resource guard: provider_id is repeated on every row, so a huge provider_id
 * times many records could make the COPY payload explode. With `signer` set
 * (as on the acceptance path) this cannot trigger: node ids are ≤ 63 chars.
 */
export const MAX_REPEATED_PROVIDER_BYTES = 16 * 1024 * 1024;

/** Declared fields of each message (index = field number), for error messages and wrong-wire-type detection. */
const BATCH_FIELDS = [undefined, 'provider_id', 'seq', 'prev_digest', 'created_ms', 'records', 'retractions'];
const RECORD_FIELDS = [undefined, 'record_id', 'epoch', 'kind', 'tokens', 'template', 'labels', 'score', 'first_seen_ms', 'last_seen_ms', 'expires_ms'];
const TOKEN_FIELDS = [undefined, 'kind', 'value'];
const TEMPLATE_FIELDS = [undefined, 'bands', 'minhash'];
const RETRACTION_FIELDS = [undefined, 'record_id', 'reason'];

const tag = (field: number, wireType: number): number => (field << 3) | wireType;
// Batch
const B_PROVIDER_ID = fieldTag(1, WT_LEN);
const B_SEQ = fieldTag(2, WT_VARINT);
const B_PREV_DIGEST = fieldTag(3, WT_LEN);
const B_CREATED_MS = fieldTag(4, WT_VARINT);
const B_RECORDS = fieldTag(5, WT_LEN);
const B_RETRACTIONS = fieldTag(6, WT_LEN);
// Record
const R_RECORD_ID = fieldTag(1, WT_LEN);
const R_EPOCH = fieldTag(2, WT_VARINT);
const R_KIND = fieldTag(3, WT_VARINT);
const R_TOKENS = fieldTag(4, WT_LEN);
const R_TEMPLATE = fieldTag(5, WT_LEN);
const R_LABELS = fieldTag(6, WT_LEN);
const R_SCORE = fieldTag(7, WT_I32);
const R_FIRST_SEEN = fieldTag(8, WT_VARINT);
const R_LAST_SEEN = fieldTag(9, WT_VARINT);
const R_EXPIRES = fieldTag(10, WT_VARINT);
// Token
const T_KIND = fieldTag(1, WT_VARINT);
const T_VALUE = fieldTag(2, WT_LEN);
// TemplateSignature
const S_BANDS = fieldTag(1, WT_LEN);
const S_MINHASH = fieldTag(2, WT_VARINT);
const S_MINHASH_PACKED = fieldTag(2, WT_LEN);
// Retraction
const X_RECORD_ID = fieldTag(1, WT_LEN);
const X_REASON = fieldTag(2, WT_LEN);

/** Columns of RECORD_COLUMNS, in order. */
const RECORD_COLUMN_COUNT = 13;
/** Bytes of a row besides provider_id, record_id, the tokens, the template and the labels themselves (labels: 4 + text bytes each). */
const ROW_FIXED_BYTES = 2 /* column count */ + 4 + 4 /* provider_id, record_id lengths */ + 12 /* seq */ + 8 /* epoch */ + 6 /* kind */
  + 4 /* tokens length */ + 8 /* template lengths */ + 4 + 16 + 8 /* labels: length, array header, dimension */ + 8 /* score */ + 3 * 12 /* times */;


/** Decodes, checks and encodes a batch in one pass over its bytes (see the module comment). */
export function decodeBatchForCommit(bytes: Uint8Array, where: string, opts: DecodeBatchOptions): DecodedBatch {
  return new BatchDecoder(bytes, where).decode(opts);
}

class BatchDecoder extends ProtoReader implements RecordFacts {

  // Where the reader is, for wire error messages.
  private recordIndex = -1;
  private retractionIndex = -1;
  private inner: 'tokens' | 'template' | undefined;
  private innerIndex = 0;

  // The current record, as RecordFacts.
  recordIdOk = false;
  recordId = '';
  epoch = 0;
  kind = 0;
  tokenCount = 0;
  minhashCount = 0;
  labelCount = 0;
  score = 0;
  firstSeenMs = 0;
  lastSeenMs = 0;
  expiresMs = 0;
  private idStart = 0;
  private idLength = 0;
  private readonly tokenKinds = new Int32Array(MAX_TOKENS_PER_RECORD);
  private readonly tokenStarts = new Int32Array(MAX_TOKENS_PER_RECORD);
  private readonly tokenLengths = new Int32Array(MAX_TOKENS_PER_RECORD);
  private readonly labelStarts = new Int32Array(MAX_LABELS_PER_RECORD);
  private readonly labelLengths = new Int32Array(MAX_LABELS_PER_RECORD);
  private minhash = new Uint32Array(256);
  private bandStarts = new Int32Array(64);
  private bandLengths = new Int32Array(64);
  private bandCount = 0;
  private bandBytes = 0;
  private scorePos = -1;
  private firstLo = 0;
  private firstHi = 0;
  private lastLo = 0;
  private lastHi = 0;
  private expiresLo = 0;
  private expiresHi = 0;

  // COPY output.
  private out: Buffer = Buffer.alloc(0);
  private outView: DataView = new DataView(new ArrayBuffer(0));
  private o = 0;
  private providerStart = 0;
  private providerLength = 0;
  private seqHi = 0;
  private seqLo = 0;
  private readonly view: DataView;

  constructor(bytes: Uint8Array, private readonly where: string) {
    super(bytes);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  tokenKind(j: number): number { return this.tokenKinds[j]!; }
  tokenValueLength(j: number): number { return this.tokenLengths[j]!; }
  labelOk(j: number): boolean {
    const start = this.labelStarts[j]!;
    return asciiRuleOk(LABEL_BYTES, this.buf, start, start + this.labelLengths[j]!);
  }

  decode(opts: DecodeBatchOptions): DecodedBatch {
    const buf = this.buf;
    const end = buf.length;
    if (end > 0x7fffffff) this.fail('longer than 2^31 bytes');

    // Pass 1, top level only: the header fields (last occurrence wins) and the counts. Records are stepped over.
    let providerStart = 0;
    let providerLength = 0;
    let seqLo = 0;
    let seqHi = 0;
    let prevStart = 0;
    let prevLength = 0;
    let createdLo = 0;
    let createdHi = 0;
    let recordCount = 0;
    let retractionCount = 0;
    while (this.pos < end) {
      const t = this.tag(end);
      switch (t) {
        case B_PROVIDER_ID:
          providerLength = this.len(end);
          providerStart = this.pos;
          this.utf8(providerStart, providerStart + providerLength);
          this.pos += providerLength;
          break;
        case B_SEQ:
          this.varint64(end);
          seqLo = this.lo;
          seqHi = this.hi;
          break;
        case B_PREV_DIGEST:
          prevLength = this.len(end);
          prevStart = this.pos;
          this.pos += prevLength;
          break;
        case B_CREATED_MS:
          this.varint64(end);
          createdLo = this.lo;
          createdHi = this.hi;
          break;
        case B_RECORDS: {
          const n = this.len(end); // (not `this.pos += this.len()`: that reads pos before len() moves it)
          this.pos += n;
          recordCount++;
          break;
        }
        case B_RETRACTIONS: {
          const n = this.len(end);
          this.pos += n;
          retractionCount++;
          break;
        }
        default:
          this.other(t, end, BATCH_FIELDS);
      }
    }

    const providerId = this.text(providerStart, providerLength);
    const seq = seqHi === 0 ? BigInt(seqLo) : (BigInt(seqHi >>> 0) << 32n) | BigInt(seqLo);
    const createdMs = BigInt.asIntN(64, (BigInt(createdHi >>> 0) << 32n) | BigInt(createdLo));
    const header = headerProblem({
      seq,
      prevDigestLength: prevLength,
      recordCount,
      retractionCount,
      createdMs: createdHi * TWO_32 + createdLo,
    }, opts);
    const denied = opts.signer !== undefined && providerId !== opts.signer;
    let firstProblem = header;
    if (firstProblem === undefined && !denied && providerLength * recordCount > MAX_REPEATED_PROVIDER_BYTES) {
      firstProblem = `provider_id: ${providerLength} bytes repeated on ${recordCount} rows exceeds ${MAX_REPEATED_PROVIDER_BYTES} bytes`;
    }

    // Pass 2: every record and retraction. Content rules and rows only while no problem has been found;
    // the wire is read to the end regardless, since malformed bytes are reported first.
    let recordsOk = firstProblem === undefined && !denied;
    let retractionsOk = recordsOk;
    let recordProblemText: string | undefined;
    let retractionProblemText: string | undefined;
    const ids = new Set<string>();
    const recordIds: string[] = [];
    const retractions: { recordId: string; reason: string }[] = [];
    if (recordsOk) {
      this.providerStart = providerStart;
      this.providerLength = providerLength;
      this.seqHi = seqHi >>> 0;
      this.seqLo = seqLo;
      this.setOut(Buffer.allocUnsafe(COPY_SIGNATURE.length + 10 + end + recordCount * (ROW_FIXED_BYTES + providerLength)));
      this.out.set(COPY_SIGNATURE, 0);
      this.out.fill(0, COPY_SIGNATURE.length, COPY_SIGNATURE.length + 8); // flags, header extension length
      this.o = COPY_SIGNATURE.length + 8;
    }
    this.pos = 0;
    let ri = 0;
    let xi = 0;
    while (this.pos < end) {
      const t = this.tag(end);
      if (t === B_RECORDS) {
        const n = this.len(end);
        this.recordIndex = ri;
        this.record(this.pos + n);
        this.recordIndex = -1;
        if (recordsOk) {
          this.finishRecord();
          const problem = recordProblem(this, ri, ids);
          if (problem === undefined) {
            recordIds.push(this.recordId);
            this.row();
          } else {
            recordProblemText = problem;
            recordsOk = false;
            retractionsOk = false; // a record problem is reported before any retraction problem
          }
        }
        ri++;
      } else if (t === B_RETRACTIONS) {
        const n = this.len(end);
        this.retractionIndex = xi;
        const messageEnd = this.pos + n;
        let idStart = 0;
        let idLength = 0;
        let reasonStart = 0;
        let reasonLength = 0;
        while (this.pos < messageEnd) {
          const u = this.tag(messageEnd);
          if (u === X_RECORD_ID) {
            idLength = this.len(messageEnd);
            idStart = this.pos;
            this.utf8(idStart, idStart + idLength);
            this.pos += idLength;
          } else if (u === X_REASON) {
            reasonLength = this.len(messageEnd);
            reasonStart = this.pos;
            this.utf8(reasonStart, reasonStart + reasonLength);
            this.pos += reasonLength;
          } else {
            this.other(u, messageEnd, RETRACTION_FIELDS);
          }
        }
        this.retractionIndex = -1;
        if (retractionsOk) {
          const idOk = asciiRuleOk(RECORD_ID_BYTES, buf, idStart, idStart + idLength);
          const reason = this.text(reasonStart, reasonLength);
          const problem = retractionProblem(idOk, reason.length, xi);
          if (problem === undefined) {
            retractions.push({ recordId: buf.latin1Slice(idStart, idStart + idLength), reason });
          } else {
            retractionProblemText = problem;
            retractionsOk = false;
          }
        }
        xi++;
      } else {
        this.skip(t, end, 0); // validated in pass 1
      }
    }

    if (denied) throw new CordonError('PERMISSION_DENIED', `${this.where}: provider_id '${providerId}' is not the signer '${opts.signer}'`);
    const problem = firstProblem ?? recordProblemText ?? retractionProblemText;
    if (problem !== undefined) {
      const prefix = opts.validationWhere ? opts.validationWhere(providerId, seq) : this.where;
      throw new CordonError('INVALID_INPUT', `${prefix}: ${problem}`);
    }
    this.ensure(2);
    this.out[this.o++] = 0xff; // trailer: int16 -1
    this.out[this.o++] = 0xff;
    return {
      providerId,
      seq,
      prevDigest: new Uint8Array(buf.subarray(prevStart, prevStart + prevLength)),
      createdMs,
      recordCount,
      retractionCount,
      recordIds,
      retractions,
      recordRows: this.out.subarray(0, this.o),
    };
  }

  /** Reads one Record's fields up to `end` (checks the wire only; the rules run in finishRecord/recordProblem). */
  private record(end: number): void {
    this.idStart = 0;
    this.idLength = 0;
    this.epoch = 0;
    this.kind = 0;
    this.tokenCount = 0;
    this.minhashCount = 0;
    this.bandCount = 0;
    this.bandBytes = 0;
    this.labelCount = 0;
    this.scorePos = -1;
    this.firstLo = this.firstHi = this.lastLo = this.lastHi = this.expiresLo = this.expiresHi = 0;
    while (this.pos < end) {
      const t = this.tag(end);
      switch (t) {
        case R_RECORD_ID: {
          const n = this.len(end);
          const start = this.pos;
          this.utf8(start, start + n);
          this.idStart = start;
          this.idLength = n;
          this.pos = start + n;
          break;
        }
        case R_EPOCH:
          this.epoch = this.uint32(end);
          break;
        case R_KIND:
          this.kind = this.uint32(end) | 0;
          break;
        case R_TOKENS: {
          const n = this.len(end);
          this.inner = 'tokens';
          this.innerIndex = this.tokenCount;
          this.token(this.pos + n);
          this.inner = undefined;
          break;
        }
        case R_TEMPLATE: {
          const n = this.len(end);
          this.inner = 'template';
          this.template(this.pos + n);
          this.inner = undefined;
          break;
        }
        case R_LABELS: {
          const n = this.len(end);
          const start = this.pos;
          this.utf8(start, start + n);
          const j = this.labelCount++;
          if (j < MAX_LABELS_PER_RECORD) {
            this.labelStarts[j] = start;
            this.labelLengths[j] = n;
          }
          this.pos = start + n;
          break;
        }
        case R_SCORE:
          if (this.pos + 4 > end) this.fail('score: truncated');
          this.scorePos = this.pos;
          this.pos += 4;
          break;
        case R_FIRST_SEEN:
          this.varint64(end);
          this.firstLo = this.lo;
          this.firstHi = this.hi;
          break;
        case R_LAST_SEEN:
          this.varint64(end);
          this.lastLo = this.lo;
          this.lastHi = this.hi;
          break;
        case R_EXPIRES:
          this.varint64(end);
          this.expiresLo = this.lo;
          this.expiresHi = this.hi;
          break;
        default:
          this.other(t, end, RECORD_FIELDS);
      }
    }
  }

  private token(end: number): void {
    let kind = 0;
    let valueStart = 0;
    let valueLength = 0;
    while (this.pos < end) {
      const t = this.tag(end);
      if (t === T_VALUE) {
        valueLength = this.len(end);
        valueStart = this.pos;
        this.pos += valueLength;
      } else if (t === T_KIND) {
        kind = this.uint32(end) | 0;
      } else {
        this.other(t, end, TOKEN_FIELDS);
      }
    }
    const j = this.tokenCount++;
    if (j < MAX_TOKENS_PER_RECORD) {
      this.tokenKinds[j] = kind;
      this.tokenStarts[j] = valueStart;
      this.tokenLengths[j] = valueLength;
    }
  }

  /** Reads (and merges into the current record) one TemplateSignature. */
  private template(end: number): void {
    while (this.pos < end) {
      const t = this.tag(end);
      if (t === S_BANDS) {
        const n = this.len(end);
        const j = this.bandCount++;
        if (j === this.bandStarts.length) {
          this.bandStarts = grow(this.bandStarts);
          this.bandLengths = grow(this.bandLengths);
        }
        this.bandStarts[j] = this.pos;
        this.bandLengths[j] = n;
        this.bandBytes += n;
        this.pos += n;
      } else if (t === S_MINHASH_PACKED) {
        const n = this.len(end);
        const packedEnd = this.pos + n;
        while (this.pos < packedEnd) this.pushMinhash(this.uint32(packedEnd));
      } else if (t === S_MINHASH) {
        this.pushMinhash(this.uint32(end));
      } else {
        this.other(t, end, TEMPLATE_FIELDS);
      }
    }
  }

  private pushMinhash(v: number): void {
    if (this.minhashCount === this.minhash.length) this.minhash = grow(this.minhash);
    this.minhash[this.minhashCount++] = v;
  }

  /** Turns what record() read into the RecordFacts the rules look at. */
  private finishRecord(): void {
    const buf = this.buf;
    const idStart = this.idStart;
    this.recordIdOk = asciiRuleOk(RECORD_ID_BYTES, buf, idStart, idStart + this.idLength);
    this.recordId = this.recordIdOk ? buf.latin1Slice(idStart, idStart + this.idLength) : '';
    this.score = this.scorePos < 0 ? 0 : buf.readFloatLE(this.scorePos);
    this.firstSeenMs = this.firstHi * TWO_32 + this.firstLo;
    this.lastSeenMs = this.lastHi * TWO_32 + this.lastLo;
    this.expiresMs = this.expiresHi * TWO_32 + this.expiresLo;
  }

  /** Appends the current (valid) record as one row of `records`, as recordRows encodes it. */
  private row(): void {
    const idLength = this.idLength;
    const tokenCount = this.tokenCount;
    const minhashCount = this.minhashCount;
    const labelCount = this.labelCount;
    const providerLength = this.providerLength;
    let labelBytes = 0;
    for (let j = 0; j < labelCount; j++) labelBytes += 4 + this.labelLengths[j]!;
    const reserved = ROW_FIXED_BYTES + providerLength + idLength + tokenCount * (TOKEN_BYTES + 1)
      + (minhashCount > 0 ? minhashCount * 4 + this.bandBytes : 0) + labelBytes;
    this.ensure(reserved);
    const src = this.view;
    const dv = this.outView;
    const rowStart = this.o;
    let o = rowStart;

    dv.setUint16(o, RECORD_COLUMN_COUNT);
    o += 2;
    // provider_id text
    dv.setUint32(o, providerLength);
    o = copyBytes(src, this.providerStart, providerLength, dv, o + 4);
    // record_id text (ASCII: the rules checked it)
    dv.setUint32(o, idLength);
    o = copyBytes(src, this.idStart, idLength, dv, o + 4);
    // seq int8
    dv.setUint32(o, 8);
    dv.setUint32(o + 4, this.seqHi);
    dv.setUint32(o + 8, this.seqLo);
    // epoch int4 (≤ 2^31 − 1: the rules checked it)
    dv.setUint32(o + 12, 4);
    dv.setUint32(o + 16, this.epoch);
    // kind int2 (ACCOUNT or TEMPLATE)
    dv.setUint32(o + 20, 2);
    dv.setUint16(o + 24, this.kind);
    o += 26;
    // tokens bytea: (kind byte, 32-byte value) per token
    dv.setUint32(o, tokenCount * (TOKEN_BYTES + 1));
    o += 4;
    for (let j = 0; j < tokenCount; j++) {
      dv.setUint8(o, this.tokenKinds[j]!);
      o = copyBytes(src, this.tokenStarts[j]!, TOKEN_BYTES, dv, o + 1);
    }
    if (minhashCount > 0) {
      // template_minhash bytea: big-endian uint32s
      dv.setUint32(o, minhashCount * 4);
      o += 4;
      const minhash = this.minhash;
      for (let j = 0; j < minhashCount; j++, o += 4) dv.setUint32(o, minhash[j]!);
      // template_bands bytea: the bands concatenated
      dv.setUint32(o, this.bandBytes);
      o += 4;
      for (let j = 0; j < this.bandCount; j++) o = copyBytes(src, this.bandStarts[j]!, this.bandLengths[j]!, dv, o);
    } else {
      dv.setInt32(o, -1); // NULL
      dv.setInt32(o + 4, -1);
      o += 8;
    }
    // labels text[]
    dv.setUint32(o, 12 + (labelCount > 0 ? 8 : 0) + labelBytes);
    dv.setUint32(o + 4, labelCount > 0 ? 1 : 0); // dimensions
    dv.setUint32(o + 8, 0); // no nulls
    dv.setUint32(o + 12, TEXT_OID);
    o += 16;
    if (labelCount > 0) {
      dv.setUint32(o, labelCount);
      dv.setUint32(o + 4, 1); // lower bound
      o += 8;
      for (let j = 0; j < labelCount; j++) {
        const n = this.labelLengths[j]!;
        dv.setUint32(o, n);
        o = copyBytes(src, this.labelStarts[j]!, n, dv, o + 4);
      }
    }
    // score float4: the wire's little-endian float32 written big-endian (bit for bit; in [0, 1], so no NaN to canonicalize)
    dv.setUint32(o, 4);
    dv.setUint32(o + 4, this.scorePos < 0 ? 0 : src.getUint32(this.scorePos, true));
    o += 8;
    // first_seen, last_seen, expires_at timestamptz
    o = writeTime(dv, o, this.firstSeenMs);
    o = writeTime(dv, o, this.lastSeenMs);
    o = writeTime(dv, o, this.expiresMs);
    // An invariant, not input checking: the reservation above must cover what was written.
    if (o - rowStart > reserved) throw new Error(`batch-wire: row of ${o - rowStart} bytes exceeds its ${reserved}-byte reservation`);
    this.o = o;
  }

  private ensure(n: number): void {
    if (this.o + n <= this.out.length) return;
    let size = Math.max(this.out.length * 2, 1024);
    while (size < this.o + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.out.copy(next, 0, 0, this.o);
    this.setOut(next);
  }

  private setOut(out: Buffer): void {
    this.out = out;
    this.outView = new DataView(out.buffer, out.byteOffset, out.byteLength);
  }

  protected fail(what: string): never {
    let path = '';
    if (this.recordIndex >= 0) {
      path = `records[${this.recordIndex}]`;
      if (this.inner === 'tokens') path += `.tokens[${this.innerIndex}]`;
      else if (this.inner === 'template') path += '.template';
      path += ': ';
    } else if (this.retractionIndex >= 0) {
      path = `retractions[${this.retractionIndex}]: `;
    }
    throw new CordonError('INVALID_INPUT', `${this.where}: not a valid cordon.v1.Batch (${path}${what} at byte ${this.pos})`);
  }
}

function grow<T extends Int32Array | Uint32Array>(a: T): T {
  const next = new (a.constructor as new (n: number) => T)(a.length * 2);
  next.set(a);
  return next;
}
