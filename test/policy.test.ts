// One policy answers "may this person do this to that thing"; these are its rules as a table.
import { ACCOUNTS, can, campaign, DIRECTORY, ownerScope, picket, prisoner } from '../src/policies';

const admin = { id: 1, role: 'admin' as const };
const alice = { id: 2, role: 'organiser' as const };
const bob = { id: 3, role: 'organiser' as const };

describe('who may do what', () => {
  test('an organiser manages their own pickets, campaigns and prisoner profiles, not another’s', () => {
    const alicesPicket = picket({ id: 10, owner_id: alice.id, status: 'published' });
    expect(can(alice, 'manage', alicesPicket)).toBe(true);
    expect(can(bob, 'manage', alicesPicket)).toBe(false);
    expect(can(alice, 'manage', campaign({ id: 5, owner_id: alice.id }))).toBe(true);
    expect(can(bob, 'manage', campaign({ id: 5, owner_id: alice.id }))).toBe(false);
    expect(can(bob, 'manage', prisoner({ id: 7, owner_id: alice.id }))).toBe(false);
    expect(can(admin, 'manage', alicesPicket)).toBe(true);
  });

  test('a visitor sees published and cancelled pickets; a draft only its organiser and admins', () => {
    const draft = picket({ id: 11, owner_id: alice.id, status: 'draft' });
    expect(can(null, 'view', picket({ id: 12, owner_id: alice.id, status: 'cancelled' }))).toBe(true);
    expect(can(null, 'view', draft)).toBe(false);
    expect(can(bob, 'view', draft)).toBe(false);
    expect(can(alice, 'view', draft)).toBe(true);
    expect(can(null, 'manage', picket({ id: 12, owner_id: alice.id, status: 'published' }))).toBe(false);
  });

  test('only admins manage the venue directory and accounts; lists are scoped the same way', () => {
    expect(can(admin, 'manage', DIRECTORY)).toBe(true);
    expect(can(alice, 'manage', DIRECTORY)).toBe(false);
    expect(can(alice, 'manage', ACCOUNTS)).toBe(false);
    expect(can(undefined, 'manage', ACCOUNTS)).toBe(false);
    expect(ownerScope(admin)).toBeNull();
    expect(ownerScope(alice)).toBe(alice.id);
  });
});

describe('hosts (local organisers signed in by link)', () => {
  const host = { role: 'host' as const, hostId: 2, campaignId: 5, picketIds: [20] };

  test('a host manages the pickets they run, and nothing else', () => {
    expect(can(host, 'manage', picket({ id: 20, owner_id: alice.id, status: 'published' }))).toBe(true);
    expect(can(host, 'manage', picket({ id: 21, owner_id: alice.id, status: 'published' }))).toBe(false);
    // A host's id is not a user id: the host with id 2 is not Alice, whose account id is 2.
    expect(can(host, 'manage', picket({ id: 22, owner_id: 2, status: 'published' }))).toBe(false);
    expect(can(host, 'manage', campaign({ id: 5, owner_id: 2 }))).toBe(false);
    expect(can(host, 'manage', prisoner({ id: 7, owner_id: 2 }))).toBe(false);
    expect(can(host, 'manage', DIRECTORY)).toBe(false);
    expect(can(host, 'manage', ACCOUNTS)).toBe(false);
  });
});
