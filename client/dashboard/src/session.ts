/** The logged-in person and the vocabulary, passed down by context (no globals). */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me, Meta, TodoItem } from './types';

export interface Session {
  me: Me;
  meta: Meta;
  /** Sets the count beside 待办 in the navigation from items already read. */
  setTodo(items: TodoItem[]): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a logged-in page');
  return s;
}
