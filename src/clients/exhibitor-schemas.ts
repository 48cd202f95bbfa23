import { z } from 'zod';

/** Exhibitor's explorer API (docs/reference/exhibitor-zookeeper.md §2). */

/** DELETE answers 200 with this even when ZooKeeper refused: `succeeded` is the truth. */
export const ExhibitorResultSchema = z.looseObject({
  message: z.string(),
  succeeded: z.boolean(),
});

/** `stat` is "* not found * " for a missing node. */
export const NodeDataSchema = z.looseObject({
  bytes: z.string(),
  str: z.string(),
  stat: z.string(),
});

/** GET explorer/node?key=...: the children; `key` is "*" in the single entry of an error. */
export const NodeChildrenSchema = z.array(z.looseObject({ title: z.string(), key: z.string() }));
