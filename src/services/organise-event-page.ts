// What the organiser's page of one of their pickets shows: the event, its demands, its public address.
import type { AppDeps } from '../deps';
import { renderMarkdown } from '../lib/markdown';
import { eventPath, presentOrganiserEvent } from '../presenters/events';
import { demandsOfEvents } from '../queries/events';
import { eventForOrganiser, Organiser } from './events';

export async function organiserEventPage(deps: Pick<AppDeps, 'db'>, user: Organiser, id: number) {
  const event = await eventForOrganiser(deps, user, id);
  const demands = (await demandsOfEvents(deps.db, [event.id])).get(event.id) ?? [];
  return {
    event: presentOrganiserEvent(event),
    demands: demands.map((d) => ({ text: d.text })),
    publicPath: eventPath(event),
    descriptionHtml: renderMarkdown(event.description),
  };
}
