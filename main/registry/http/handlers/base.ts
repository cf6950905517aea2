// end-1: GET /v2/ — the API version check Docker uses as its ping.
import { sendJson, type RequestContext } from '../context';

export async function getBase(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, {});
}
