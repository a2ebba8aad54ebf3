// A folder as every view shows it (bird history, the Ctrl-R rows, bird stats): ~ for home,
// escaped, and when it must be cut, cut from the left, since the end is what tells folders apart.
import { escapeForTerminal, truncateStartToWidth } from './text-width.ts';

/** `/home/ana/src` → `~/src` when home is `/home/ana`. */
export function shortenHome(path: string, home: string | undefined): string {
  if (!home || home === '/') return path;
  const h = home.replace(/\/+$/, '');
  if (path === h) return '~';
  return path.startsWith(`${h}/`) ? `~${path.slice(h.length)}` : path;
}

/**
 * The columns a folder gets in a terminal `width` columns wide when the line is short of room:
 * enough for a folder's last names, never so much that the command has no room left.
 */
export function folderWidth(width: number): number {
  return Math.max(8, Math.min(24, Math.floor(width / 5)));
}

/**
 * `/home/ana/work/clients/acme/services/billing` → `…/services/billing` in 20 columns: ~ for
 * home, control characters escaped (`escape`, escapeForTerminal unless the view has its own
 * plain form), then cut from the left at a `/` when it is wider than `width`.
 */
export function folderText(path: string, home: string | undefined, width = Infinity, escape: (text: string) => string = escapeForTerminal): string {
  return truncateStartToWidth(escape(shortenHome(path, home)), width);
}
