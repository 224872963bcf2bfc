import { SignInForm } from "./sign-in-form";

export const metadata = { title: "Sign in · Distillery" };

export default function SignInPage() {
  return (
    <main className="narrow">
      <h1>Sign in to Distillery</h1>
      <p>Paste an API token (for example the admin token from the data directory).</p>
      <SignInForm />
    </main>
  );
}
