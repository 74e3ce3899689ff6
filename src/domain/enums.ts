// Every closed list of the domain, declared once. Row types (src/db/tables.ts), zod schemas
// (routes, config) and views take their values from here; the database's check constraints are
// written in migrations (which use no app code), and test/enums.test.ts reads them back from
// PostgreSQL and fails when one of them and this file disagree.
// This file imports nothing, so every layer may use it.

/** Interface languages: locales/<tag>/ exists for each. */
export const LOCALES = ['en', 'fr', 'de', 'ru'] as const;
export type Locale = (typeof LOCALES)[number];

export const USER_ROLES = ['admin', 'organiser'] as const;
export type Role = (typeof USER_ROLES)[number];

export const VENUE_KINDS = ['embassy', 'consulate', 'square', 'other'] as const;
export type VenueKind = (typeof VENUE_KINDS)[number];

export const CAMPAIGN_STATUSES = ['active', 'archived'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const PRISONER_STATUSES = ['detained', 'sentenced', 'released'] as const;
export type PrisonerStatus = (typeof PRISONER_STATUSES)[number];

export const DEMAND_KINDS = ['release', 'drop_charges', 'other'] as const;
export type DemandKind = (typeof DEMAND_KINDS)[number];

export const EVENT_KINDS = ['picket', 'demonstration', 'vigil', 'leafleting', 'meeting', 'other'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const EVENT_STATUSES = ['draft', 'published', 'cancelled'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export const ACTION_STATUSES = ['planned', 'confirmed', 'happened', 'letter_delivered', 'letter_refused'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const RSVP_ROLES = ['attendee', 'steward', 'speaker'] as const;
export type RsvpRole = (typeof RSVP_ROLES)[number];

/**
 * `requested`: waiting for an organiser's approval (pickets that approve attendees, and every RSVP
 * from an address on the campaign's block list); `declined`: an organiser said no or removed them.
 * Only `going` holds a place; only `waitlisted` is promoted.
 */
export const RSVP_STATUSES = ['requested', 'going', 'waitlisted', 'declined', 'cancelled'] as const;
export type RsvpStatus = (typeof RSVP_STATUSES)[number];

/**
 * Whether a picket takes RSVPs, as the SQL function rsvp_state(event, now) answers (the only
 * definition: see migrations/20261130020000_rsvp_rules.ts). The first three are "closed".
 */
export const RSVP_STATES = ['draft', 'cancelled', 'past', 'open', 'waitlist', 'full'] as const;
export type RsvpState = (typeof RSVP_STATES)[number];
export const CLOSED_RSVP_STATES: readonly RsvpState[] = ['draft', 'cancelled', 'past'];

export const MESSAGE_KINDS = ['message', 'change', 'cancellation'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export const SUBMISSION_KINDS = ['photo', 'letter'] as const;
export type SubmissionKind = (typeof SUBMISSION_KINDS)[number];

export const SUBMISSION_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

export const MEDIA_TYPES = ['image', 'pdf'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

export const HANDIN_STATUSES = ['delivered', 'refused', 'posted', 'emailed'] as const;
export type HandinStatus = (typeof HANDIN_STATUSES)[number];

/** Statuses of pickets the public sees: a cancelled picket keeps its page, with a notice. */
export const PUBLIC_EVENT_STATUSES = ['published', 'cancelled'] as const satisfies readonly EventStatus[];

/**
 * A host's proposal of a picket (issue 17): `proposed_unverified` until the host follows the link
 * e-mailed to them (nobody sees it before), `proposed` in the organisers' queue, then `approved`
 * (it became a picket) or `declined`.
 */
export const PROPOSAL_STATUSES = ['proposed_unverified', 'proposed', 'approved', 'declined'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];
