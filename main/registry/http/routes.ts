// The API's route table, keyed by the distribution spec's endpoint ids (end-1 … end-13).
// Names contain slashes, so each pattern anchors on its fixed suffix; captured values are
// percent-decoded and then checked against the grammars in ../reference.ts by the dispatcher.
export type RouteId = 'base' | 'catalog' | 'tags' | 'manifest' | 'blob' | 'uploads' | 'upload' | 'referrers';

export interface RouteMatch {
  id: RouteId;
  name?: string;
  /** Tag, digest or upload id, as the route defines. */
  param?: string;
}

interface Route { id: RouteId; re: RegExp; methods: readonly string[]; writes: readonly string[] }

export const ROUTES: readonly Route[] = [
  { id: 'base', re: /^\/v2\/?$/, methods: ['GET', 'HEAD'], writes: [] },                                   // end-1
  { id: 'catalog', re: /^\/v2\/_catalog$/, methods: ['GET', 'HEAD'], writes: [] },
  { id: 'tags', re: /^\/v2\/(.+)\/tags\/list$/, methods: ['GET', 'HEAD'], writes: [] },                    // end-8a/b
  { id: 'manifest', re: /^\/v2\/(.+)\/manifests\/([^/]+)$/, methods: ['GET', 'HEAD', 'PUT', 'DELETE'], writes: ['PUT', 'DELETE'] }, // end-3, 7, 9
  { id: 'uploads', re: /^\/v2\/(.+)\/blobs\/uploads\/?$/, methods: ['POST'], writes: ['POST'] },           // end-4a/b, 11
  { id: 'upload', re: /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, methods: ['GET', 'HEAD', 'PATCH', 'PUT', 'DELETE'], writes: ['PATCH', 'PUT', 'DELETE'] }, // end-5, 6, 13
  { id: 'blob', re: /^\/v2\/(.+)\/blobs\/([^/]+)$/, methods: ['GET', 'HEAD', 'DELETE'], writes: ['DELETE'] },           // end-2, 10
  { id: 'referrers', re: /^\/v2\/(.+)\/referrers\/([^/]+)$/, methods: ['GET', 'HEAD'], writes: [] },        // end-12a/b
];

export function matchRoute(path: string): (RouteMatch & { route: Route }) | undefined {
  for (const route of ROUTES) {
    const m = route.re.exec(path);
    if (!m) continue;
    const out: RouteMatch & { route: Route } = { id: route.id, route };
    if (m[1] !== undefined) out.name = safeDecode(m[1]);
    if (m[2] !== undefined) out.param = safeDecode(m[2]);
    return out;
  }
  return undefined;
}

/** Percent-decodes once; a malformed escape yields a value no grammar accepts. */
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '\u0000';
  }
}
