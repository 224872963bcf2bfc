import { SignInForm } from "./sign-in-form";

export const metadata = { title: "Sign in · Distillery" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ refused?: string }> }) {
  const { refused } = await searchParams;
  return (
    <main className="narrow">
      <h1>Sign in to Distillery</h1>
      {refused ? (
        <p className="error" role="status">
          {`The API no longer accepts your token (${refused}): sign in with another one.`}
        </p>
      ) : null}
      <p>Paste an API token (for example the admin token from the data directory).</p>
      <SignInForm />
    </main>
  );
}
