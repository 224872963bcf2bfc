import { signOut } from "../app/sign-out/actions";
import type { Me } from "../lib/operations";
import { SectionNav } from "./section-nav";

export function AppHeader({ me }: { me: Me }) {
  return (
    <header className="app-header">
      <a href="/leaderboard" className="brand">
        Distillery
      </a>
      <SectionNav />
      <span className="who">
        Signed in as <strong>{me.name}</strong> <span className="scopes">({me.scopes.join(", ")})</span>
      </span>
      <form action={signOut}>
        <button type="submit">Sign out</button>
      </form>
    </header>
  );
}
