// Row types: one declaration per table. Presenters (src/presenters) decide what leaves the server.
// The closed lists (statuses, kinds, roles) are declared once in src/domain/enums.ts.
import type {
  ActionStatus, CampaignStatus, DemandKind, EventKind, EventStatus, HandinStatus, MediaType, MessageKind, PrisonerStatus, ProposalStatus,
  Role, RsvpRole, RsvpStatus, SubmissionKind, SubmissionStatus, VenueKind,
} from '../domain/enums';

export type {
  ActionStatus, CampaignStatus, DemandKind, EventKind, EventStatus, HandinStatus, MediaType, MessageKind, PrisonerStatus, ProposalStatus,
  Role, RsvpRole, RsvpStatus, SubmissionKind, SubmissionStatus, VenueKind,
};

export interface UserRow {
  id: number;
  email: string;
  name: string;
  password_hash: string;
  role: Role;
  locale: string | null;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface InviteRow {
  id: number;
  email: string;
  role: Role;
  token_hash: string;
  invited_by: number | null;
  expires_at: Date;
  accepted_at: Date | null;
  created_at: Date;
}

export interface PasswordResetRow {
  id: number;
  user_id: number;
  token_hash: string;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
}

export interface VenueRow {
  id: number;
  kind: VenueKind;
  name: string;
  address: string;
  city: string;
  country: string;
  represents: string | null;
  latitude: number;
  longitude: number;
  timezone: string;
  /** null: the shared directory kept by admins; else the organiser who added it for their pickets. */
  owner_id: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface CampaignRow {
  id: number;
  slug: string;
  title: string;
  description: string;
  target_country: string;
  slogans: string[];
  language: string | null;
  status: CampaignStatus;
  owner_id: number;
  /** The call for proposals is open: the public form "Host a picket in your city" is shown. */
  proposals_open: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface PrisonerRow {
  id: number;
  campaign_id: number;
  name: string;
  story: string;
  status: PrisonerStatus;
  since: string | null;
  portrait_key: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface DemandRow {
  id: number;
  campaign_id: number;
  kind: DemandKind;
  text: string;
  prisoner_id: number | null;
  position: number;
  created_at: Date;
  updated_at: Date;
}

export interface EventRow {
  id: number;
  campaign_id: number | null;
  owner_id: number;
  kind: EventKind;
  title: string;
  slug: string;
  description: string;
  language: string | null;
  venue_id: number | null;
  address: string;
  city: string;
  country: string;
  latitude: number;
  longitude: number;
  meeting_point_private: boolean;
  meeting_point: string;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  capacity: number | null;
  waitlist_enabled: boolean;
  /** RSVPs arrive as requests; only approved people are told the meeting point. */
  approve_attendees: boolean;
  headcount_only_allowed: boolean;
  status: EventStatus;
  action_status: ActionStatus;
  contact_text: string;
  /** A phone number for legal support, printed on the picket card (migration 20261130090000). */
  legal_support: string;
  attendance_count: number | null;
  /** The local host who runs it (an approved proposal); the campaign's organiser owns it. */
  host_id: number | null;
  published_at: Date | null;
  cancelled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface RsvpRow {
  id: number;
  event_id: number;
  name: string | null;
  email: string | null;
  note: string;
  role: RsvpRole;
  status: RsvpStatus;
  locale: string;
  token: string;
  status_at: Date;
  /** The order RSVPs took their status in (bigint, as a string): the waitlist's order. */
  status_seq: string;
  created_at: Date;
  updated_at: Date;
  erased_at: Date | null;
  confirmation_pending: boolean;
  /** Made by an address on the campaign's block list: never told the meeting point. */
  blocked: boolean;
}

export interface RsvpReminderRow {
  rsvp_id: number;
  kind: string;
  sent_at: Date;
}

export interface EventMessageRow {
  id: number;
  event_id: number;
  author_id: number | null;
  kind: MessageKind;
  subject: string;
  body: string;
  recipients: number;
  created_at: Date;
}

export interface SubmissionRow {
  id: number;
  event_id: number;
  kind: SubmissionKind;
  storage_key: string | null;
  media_type: MediaType | null;
  mime: string | null;
  width: number | null;
  height: number | null;
  caption: string;
  submitter_name: string;
  letter_text: string;
  handin_status: HandinStatus | null;
  handin_to: string;
  status: SubmissionStatus;
  rejection_reason: string;
  moderated_by: number | null;
  moderated_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface LetterTemplateRow {
  id: number;
  campaign_id: number;
  language: string;
  title: string;
  body: string;
  created_at: Date;
  updated_at: Date;
}

/** An action sent with an idempotency key (an RSVP or upload a phone queued): its answer, kept to be given again. */
export interface IdempotencyKeyRow {
  key: string;
  scope: string;
  fingerprint: string;
  result: Record<string, unknown>;
  created_at: Date;
  expires_at: Date;
}

export interface HostRow {
  id: number;
  campaign_id: number;
  /** Private: never in a public page, feed or log. */
  email: string;
  name: string;
  trusted: boolean;
  verified_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface ProposalRow {
  id: number;
  campaign_id: number;
  host_id: number;
  status: ProposalStatus;
  title: string;
  description: string;
  venue_id: number | null;
  address: string;
  city: string;
  country: string;
  latitude: number;
  longitude: number;
  timezone: string;
  starts_at: Date;
  ends_at: Date;
  capacity: number | null;
  meeting_point_private: boolean;
  meeting_point: string;
  locale: string;
  verify_token_hash: string | null;
  verified_at: Date | null;
  event_id: number | null;
  decline_message: string;
  decided_by: number | null;
  decided_at: Date | null;
  digested_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface HostLinkRow {
  id: number;
  host_id: number;
  token_hash: string;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
}
