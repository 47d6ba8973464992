// Sign in with email and password, or with an integrator's API token.
import { useState, type FormEvent } from 'react';
import { anonymousClient, apiClient, errorText } from '../api/client';
import type { Session } from '../lib/session';

type Mode = 'password' | 'token';

export function Login({ onSignedIn, expired }: { onSignedIn: (s: Session) => void; expired: boolean }) {
  const [mode, setMode] = useState<Mode>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(expired ? 'Your session has ended. Please sign in again.' : null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      let bearer = token.trim();
      if (mode === 'password') {
        const { data, error } = await anonymousClient().POST('/api/v1/auth/login', { body: { email: email.trim(), password } });
        if (!data) throw new Error(errorText(error, 'Sign-in failed'));
        bearer = data.token;
      }
      const { data: me, error } = await apiClient(bearer, () => undefined).GET('/api/v1/auth/me');
      if (!me) throw new Error(mode === 'token' ? 'That token is not valid.' : errorText(error, 'Sign-in failed'));
      onSignedIn({ token: bearer, me });
    } catch (err) {
      setError(errorText(err, 'Sign-in failed'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login-page">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <div className="brand big"><span className="brand-mark" aria-hidden="true">⚓</span> Wharf</div>
        <h1 id="login-title">Sign in to the support inbox</h1>
        <div className="segmented" role="tablist" aria-label="Sign-in method">
          <button type="button" role="tab" aria-selected={mode === 'password'} onClick={() => setMode('password')}>Email</button>
          <button type="button" role="tab" aria-selected={mode === 'token'} onClick={() => setMode('token')}>API token</button>
        </div>
        {mode === 'password' ? (
          <>
            <label>Email<input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus /></label>
            <label>Password<input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} /></label>
          </>
        ) : (
          <label>API token<input type="password" autoComplete="off" required value={token} onChange={(e) => setToken(e.target.value)} autoFocus />
            <small>For integrators: a token an admin created. It acts as an admin.</small></label>
        )}
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </div>
  );
}
