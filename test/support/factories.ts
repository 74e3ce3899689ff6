// Factories: build what a test needs with sensible defaults; override what matters to the story.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Role, UserRow } from '../../src/db/tables';
import * as users from '../../src/queries/users';
import { hashPassword } from '../../src/services/accounts';

export const PASSWORD = 'correct horse battery';
let cachedHash: Promise<string> | undefined;

export function unique(prefix = 'x'): string {
  return `${prefix}-${crypto.randomBytes(4).toString('hex')}`;
}

export async function buildUser(db: Knex, overrides: Partial<{ email: string; name: string; role: Role; password: string }> = {}): Promise<UserRow & { password: string }> {
  const password = overrides.password ?? PASSWORD;
  const passwordHash = overrides.password ? await hashPassword(password) : await (cachedHash ??= hashPassword(PASSWORD));
  const user = await users.insert(db, {
    email: overrides.email ?? `${unique('organiser')}@picket.test`,
    name: overrides.name ?? 'Test Organiser',
    role: overrides.role ?? 'organiser',
    password_hash: passwordHash,
  });
  return { ...user, password };
}

export async function buildCampaign(
  db: Knex,
  owner: { id: number },
  overrides: Partial<{ slug: string; title: string; description: string; target_country: string; slogans: string[]; status: 'active' | 'archived' }> = {},
) {
  const [row] = await db('campaigns')
    .insert({
      slug: overrides.slug ?? unique('campaign'),
      title: overrides.title ?? 'Free the Picket Five',
      description: overrides.description ?? 'Five trade unionists are in prison for a strike.',
      target_country: overrides.target_country ?? 'BY',
      slogans: overrides.slogans ?? ['Freedom for political prisoners'],
      status: overrides.status ?? 'active',
      owner_id: owner.id,
    })
    .returning('*');
  return row;
}

export async function buildDemand(db: Knex, campaign: { id: number }, overrides: Partial<{ kind: 'release' | 'drop_charges' | 'other'; text: string; prisoner_id: number | null }> = {}) {
  const [row] = await db('demands')
    .insert({ campaign_id: campaign.id, kind: overrides.kind ?? 'release', text: overrides.text ?? 'Release all political prisoners', prisoner_id: overrides.prisoner_id ?? null })
    .returning('*');
  return row;
}

/** A published picket outside an embassy in London, starting in a week, unless told otherwise. */
export async function buildEvent(
  db: Knex,
  owner: { id: number },
  overrides: Partial<{
    campaign_id: number | null; kind: string; title: string; description: string; city: string; country: string;
    address: string; latitude: number; longitude: number; timezone: string; starts_at: Date; ends_at: Date;
    status: 'draft' | 'published' | 'cancelled'; capacity: number | null; waitlist_enabled: boolean;
    headcount_only_allowed: boolean; meeting_point_private: boolean; meeting_point: string; action_status: string;
    contact_text: string; attendance_count: number | null;
  }> = {},
) {
  const startsAt = overrides.starts_at ?? new Date(Date.now() + 7 * 24 * 3600_000);
  const title = overrides.title ?? 'Picket at the embassy';
  const [row] = await db('events')
    .insert({
      campaign_id: overrides.campaign_id ?? null,
      owner_id: owner.id,
      kind: overrides.kind ?? 'picket',
      title,
      slug: title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''),
      description: overrides.description ?? 'Bring banners.',
      address: overrides.address ?? '6 Kensington Court',
      city: overrides.city ?? 'London',
      country: overrides.country ?? 'GB',
      latitude: overrides.latitude ?? 51.5009,
      longitude: overrides.longitude ?? -0.1887,
      timezone: overrides.timezone ?? 'Europe/London',
      starts_at: startsAt,
      ends_at: overrides.ends_at ?? new Date(startsAt.getTime() + 2 * 3600_000),
      status: overrides.status ?? 'published',
      published_at: (overrides.status ?? 'published') === 'published' ? new Date() : null,
      capacity: overrides.capacity ?? null,
      waitlist_enabled: overrides.waitlist_enabled ?? true,
      headcount_only_allowed: overrides.headcount_only_allowed ?? false,
      meeting_point_private: overrides.meeting_point_private ?? false,
      meeting_point: overrides.meeting_point ?? '',
      action_status: overrides.action_status ?? 'planned',
      contact_text: overrides.contact_text ?? '',
      attendance_count: overrides.attendance_count ?? null,
    })
    .returning('*');
  return row;
}

/** An RSVP stored directly (for organiser views, reminders and retention); token is random. */
export async function buildRsvp(
  db: Knex,
  event: { id: number },
  overrides: Partial<{ name: string | null; email: string | null; role: 'attendee' | 'steward' | 'speaker'; status: 'going' | 'waitlisted' | 'cancelled'; note: string; locale: string; created_at: Date }> = {},
) {
  const createdAt = overrides.created_at ?? new Date();
  const [row] = await db('rsvps')
    .insert({
      event_id: event.id,
      name: overrides.name === undefined ? 'Test Activist' : overrides.name,
      email: overrides.email === undefined ? `${unique('activist')}@picket.test` : overrides.email,
      role: overrides.role ?? 'attendee',
      status: overrides.status ?? 'going',
      note: overrides.note ?? '',
      locale: overrides.locale ?? 'en',
      token: crypto.randomBytes(32).toString('base64url'),
      status_at: createdAt,
      created_at: createdAt,
      updated_at: createdAt,
    })
    .returning('*');
  return row;
}
