"use client";

import { usePathname } from "next/navigation";

const SECTIONS = [
  { href: "/leaderboard", label: "Leaderboard" },
  { href: "/models", label: "Models" },
  { href: "/experiments", label: "Experiments" },
  { href: "/runs", label: "Runs" },
  { href: "/launch", label: "Launch" },
  { href: "/runners", label: "Runners" },
];

/** The header's section links; the one the page belongs to carries aria-current. */
export function SectionNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Sections">
      {SECTIONS.map((section) => {
        const current = pathname === section.href || pathname.startsWith(`${section.href}/`);
        return (
          <a key={section.href} href={section.href} aria-current={current ? "page" : undefined}>
            {section.label}
          </a>
        );
      })}
    </nav>
  );
}
