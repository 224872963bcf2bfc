import { AppHeader } from "../../components/app-header";
import { requireSession } from "../../lib/session";
import "../../styles/models.css";

/** An unknown model or version (the API said MODEL_NOT_FOUND or VERSION_NOT_FOUND). */
export default async function ModelNotFound() {
  const { me } = await requireSession();
  return (
    <>
      <AppHeader me={me} />
      <main className="models-page">
        <h1>Not found</h1>
        <p>There is no such model or version in the registry.</p>
        <p>
          <a href="/models">All models</a>
        </p>
      </main>
    </>
  );
}
