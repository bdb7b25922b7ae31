// The one-click actions a completion can carry (POST /tasks/{taskId}/complete `actions`): those the
// evidence suggests (a duplicate payment's refund, a disputed charge's card block and chargeback), and
// for the account intents, whose evidence names no transaction, the account's own actions.
const BY_INTENT = {
  account_locked: ["UNLOCK_ACCOUNT", "SEND_PASSWORD_RESET"],
  password_reset: ["SEND_PASSWORD_RESET"],
};

export function suggestedActions(task, kase) {
  const found = [];
  const seen = new Set();
  const add = (type, transactionId) => {
    const key = `${type}:${transactionId || ""}`;
    if (seen.has(key)) return;
    seen.add(key);
    found.push(transactionId ? { type, transactionId } : { type });
  };
  for (const item of task.evidence || []) {
    for (const type of [item.suggestedAction, ...(item.suggestedActions || [])].filter(Boolean)) {
      add(type, item.transactionId);
    }
  }
  for (const type of BY_INTENT[kase.intent] || []) add(type);
  return found;
}
