/**
 * `create`, called at the first call of the returned function and its result shared by every later
 * call; called again only after it failed. For what a consumer loads on first use (an SDK client, a
 * secrets provider) rather than at init.
 */
export function createdOnFirstUse<T>(create: () => Promise<T>): () => Promise<T> {
  let created: Promise<T> | undefined;
  return () => {
    created ??= create().catch((error: unknown) => {
      created = undefined;
      throw error;
    });
    return created;
  };
}
