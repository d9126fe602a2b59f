// One password field's state: cleared the moment it is submitted, so the typed password does
// not stay in the renderer while main checks it.
import { useState, type FormEvent } from 'react';
import type { SessionStore } from '../stores/session-store';

export function usePasswordEntry(session: SessionStore) {
  const [password, setPassword] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!password || session.busy) return;
    const value = password;
    setPassword('');
    await session.submitPassword(value);
  };
  return { password, setPassword, submit };
}
