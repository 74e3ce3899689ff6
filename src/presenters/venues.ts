import type { VenueRow } from '../db/tables';

/**
 * A place as the event form's place finder gets it: what it is and where, and whether it is the
 * viewer's own; never who else owns a place.
 */
export function presentPlaceChoice(v: VenueRow, viewerId: number | null) {
  return {
    id: v.id, name: v.name, kind: v.kind, address: v.address, city: v.city, country: v.country, represents: v.represents,
    lat: v.latitude, lng: v.longitude, timezone: v.timezone, own: viewerId !== null && v.owner_id === viewerId,
  };
}

export type PlaceChoice = ReturnType<typeof presentPlaceChoice>;
