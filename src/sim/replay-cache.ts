import * as http from 'node:http';

import { SimResponse } from './http-types';
import { SentAnswer, sentAnswer } from './wire';

/** Cosmos' RPCs that only read (POST, as all of Cosmos' are): their answers are kept too. */
const COSMOS_READS = /\/package\/(list|describe|search|list-versions|repository\/list)$/;

/**
 * For benchmarks of read-only commands only (SimOptions.replayReads): the bytes of each
 * answer to a read are kept and sent again for the same request, until a request that may
 * change the cluster arrives (then all are forgotten). The client's time is then its own,
 * not the simulator's making 80 MB of /master/slaves again.
 */
export class ReplayCache {
  private readonly answers = new Map<string, SentAnswer>();

  /**
   * The key of a read (listener, scheduler, request line, credentials, body); undefined for anything
   * else, which forgets all.
   */
  keyOf(
    req: http.IncomingMessage,
    url: URL,
    listener: string,
    schedulerAppId: string | undefined,
    body: string,
  ): string | undefined {
    const isRead = req.method === 'GET' || (req.method === 'POST' && COSMOS_READS.test(url.pathname));
    if (!isRead) {
      if (req.method !== 'HEAD') this.answers.clear();
      return undefined;
    }
    return `${listener} ${schedulerAppId ?? ''} ${req.method} ${req.url} ${req.headers.authorization ?? ''} ${body}`;
  }

  get(key: string): SentAnswer | undefined {
    return this.answers.get(key);
  }

  /** Keeps the whole answer's bytes under the key and returns them to be sent. */
  keep(key: string, response: SimResponse): SentAnswer {
    const answer = sentAnswer(response);
    this.answers.set(key, answer);
    return answer;
  }
}
