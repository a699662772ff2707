import { create, type DescService } from '@bufbuild/protobuf';
import { credentials, makeGenericClientConstructor, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
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
import { mintCallToken } from '../../federation/auth/call-token.js';
import type { Identity, Peer } from '../../federation/client/peer-client.js';
import { CLIENT_OPTIONS, UNARY_DEADLINE_MS } from '../../federation/grpc/options.js';
import { clientDefinition } from '../../federation/grpc/service-definition.js';
import { fromServiceError } from '../../federation/grpc/status.js';

/** Unary calls to one peer's service: a fresh call token per call, a deadline, errors as CordonErrors naming the peer. */
class UnaryClient {
  private readonly client: Client & Record<string, Function>;

  constructor(service: DescService, private readonly self: Identity, readonly peer: Peer) {
    const Ctor = makeGenericClientConstructor(clientDefinition(service), service.name);
    this.client = new Ctor(peer.address, credentials.createInsecure(), CLIENT_OPTIONS) as Client & Record<string, Function>;
  }

  protected call<O>(method: string, request: unknown): Promise<O> {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${mintCallToken(this.self.id, this.self.key, this.peer.id)}`);
    return new Promise<O>((resolve, reject) => {
      this.client[method]!(request, metadata, { deadline: Date.now() + UNARY_DEADLINE_MS }, (err: ServiceError | null, res: O) =>
        err ? reject(fromServiceError(err, this.peer.id)) : resolve(res),
      );
    });
  }

  close(): void {
    this.client.close();
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
