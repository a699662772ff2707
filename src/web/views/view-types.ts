/**
 * What the console's JSON API answers (and app.js renders). Every value has
 * already passed the disclosure policy for the node's role: these shapes
 * carry nothing the role may not see.
 */
export interface CampaignSummary {
  id: string;
  status: string;
  /** Provider names the viewer may see (a provider under 'count' disclosure sees only itself). */
  providers: string[];
  provider_count: number;
  record_count: number;
  account_count: number;
  template_count: number;
  score: number;
  labels: string[];
  first_seen: string;
  last_seen: string;
  founded: string;
  /** The viewer's own records in it (providers only). */
  own_records: string[];
}

export interface GraphNode { id: string; label: string; kind: 'provider' | 'record' | 'link' | 'others'; provider?: string; weight?: number }
export interface GraphEdge { from: string; to: string; label?: string }
export interface Graph { nodes: GraphNode[]; edges: GraphEdge[] }

/** A row of a campaign's records table: one record, or (for the regulator) one provider's count. */
export interface CampaignRecordRow {
  provider: string;
  record_id?: string;
  count?: number;
  kind?: string;
  labels?: string[];
  score?: number;
  first_seen?: string;
  last_seen?: string;
  /** When the consortium linked it (consortium view). */
  published?: string;
}

export interface CampaignDetail {
  campaign: CampaignSummary;
  timeline: { at: string; kind: string; detail: unknown }[];
  graph: Graph;
  records: CampaignRecordRow[];
}

export interface TimeSeries {
  title: string;
  /** Why the series is empty or what it counts, in the role's terms. */
  note: string;
  bucket_ms: number;
  kinds: string[];
  buckets: { start: string; counts: Record<string, number> }[];
  total: number;
}

/** The campaigns a node's role may see, wherever they live. */
export interface CampaignViews {
  list(): Promise<CampaignSummary[]>;
  /** undefined: no such campaign, or not one the viewer may know of (one answer for both). */
  detail(id: string): Promise<CampaignDetail | undefined>;
}
