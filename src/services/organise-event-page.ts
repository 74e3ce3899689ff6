// What the organiser's page of one of their pickets shows: the event, its demands, its public address.
import type { AppDeps } from '../deps';
import { renderMarkdown } from '../lib/markdown';
import { eventPath, presentOrganiserEvent } from '../presenters/events';
import { demandsOfEvents } from '../queries/events';
import type { Actor } from '../policies';
import { eventForOrganiser } from './events';

export async function organiserEventPage(deps: Pick<AppDeps, 'db'>, user: Actor, id: number) {
  const event = await eventForOrganiser(deps, user, id);
  const demands = (await demandsOfEvents(deps.db, [event.id])).get(event.id) ?? [];
  // A host runs the picket; its details (campaign, place, status) stay with the campaign's organisers.
  const mayEdit = user.role !== 'host';
  return {
    event: presentOrganiserEvent(event),
    demands: demands.map((d) => ({ text: d.text })),
    publicPath: eventPath(event),
    descriptionHtml: renderMarkdown(event.description),
    mayEdit,
    backPath: mayEdit ? '/organise' : '/host',
  };
}
