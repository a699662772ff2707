import { create, type DescService } from '@bufbuild/protobuf';
import {
  FileReportRequestSchema,
  GetReportRequestSchema,
  ListReportsRequestSchema,
  RecordReportRequestSchema,
  RegulatorService,
  GetAggregatesRequestSchema,
  type GetAggregatesResponse,
  ReportLogService,
  type FiledReportEntry,
  type FileReportResponse,
  type GetReportResponse,
  type ListReportsRequest,
  type ListReportsResponse,
  type RecordReportResponse,
  type SignedReport,
} from '../../gen/cordon/v1/regulator_pb.js';
import { PeerClient, type Identity, type Peer } from '../../federation/client/peer-client.js';

/** Unary calls to one peer's service, through the one peer client (call tokens, deadlines, errors naming the peer). */
class UnaryClient {
  readonly #peer: PeerClient;

  constructor(private readonly service: DescService, self: Identity, readonly peer: Peer) {
    this.#peer = new PeerClient(self, peer);
  }

  protected call<O>(method: string, request: unknown): Promise<O> {
    return this.#peer.call(this.service.method[method] as never, request as never) as Promise<O>;
  }

  close(): void {
    this.#peer.close();
  }
}

/** RegulatorService on the regulator's node. */
export class RegulatorClient extends UnaryClient {
  constructor(self: Identity, peer: Peer) {
    super(RegulatorService, self, peer);
  }

  fileReport(report: SignedReport): Promise<FileReportResponse> {
    return this.call('fileReport', create(FileReportRequestSchema, { report }));
  }

  listReports(req: Partial<Pick<ListReportsRequest, 'providerId' | 'campaignRef' | 'receivedAfterMs' | 'pageSize' | 'pageToken'>> = {}): Promise<ListReportsResponse> {
    return this.call('listReports', create(ListReportsRequestSchema, req));
  }

  getReport(reportId: string): Promise<GetReportResponse> {
    return this.call('getReport', create(GetReportRequestSchema, { reportId }));
  }

  getAggregates(sinceMs = 0n): Promise<GetAggregatesResponse> {
    return this.call('getAggregates', create(GetAggregatesRequestSchema, { sinceMs }));
  }
}

/** ReportLogService on a consortium node. */
export class ReportLogClient extends UnaryClient {
  constructor(self: Identity, peer: Peer) {
    super(ReportLogService, self, peer);
  }

  recordReport(entry: FiledReportEntry): Promise<RecordReportResponse> {
    return this.call('recordReport', create(RecordReportRequestSchema, { entry }));
  }
}
