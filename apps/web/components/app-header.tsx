import { signOut } from "../app/sign-out/actions";
import type { Me } from "../lib/operations";

const SECTIONS = [
  { href: "/leaderboard", label: "Leaderboard" },
  { href: "/models", label: "Models" },
  { href: "/experiments", label: "Experiments" },
  { href: "/runs", label: "Runs" },
  { href: "/launch", label: "Launch" },
  { href: "/runners", label: "Runners" },
];

export function AppHeader({ me }: { me: Me }) {
  return (
    <header className="app-header">
      <a href="/leaderboard" className="brand">
        Distillery
      </a>
      <nav aria-label="Sections">
        {SECTIONS.map((section) => (
          <a key={section.href} href={section.href}>
            {section.label}
          </a>
        ))}
      </nav>
      <span className="who">
        Signed in as <strong>{me.name}</strong> <span className="scopes">({me.scopes.join(", ")})</span>
      </span>
      <form action={signOut}>
        <button type="submit">Sign out</button>
      </form>
    </header>
  );
}
