import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";

/** A graphql-ws client on the server's /graphql, authenticated like the HTTP clients. */
export function createWsClient(serverUrl: string, token: string): Client {
  return createClient({
    url: `${serverUrl.replace("http", "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
}
