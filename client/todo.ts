/**
 * The to-do inbox (待办) for the CLI and the HTTP API; built in activities/inbox.ts, where the
 * programme's weekly digest reads it too.
 */
export { todoFor, todoVisibilityQuery, tokensOf, type TodoUser } from '../activities/inbox';
