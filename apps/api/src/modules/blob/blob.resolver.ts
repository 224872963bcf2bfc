import { Arg, Authorized, Ctx, Query, Resolver } from "type-graphql";
import { formatDigest, Scope } from "@distillery/domain";
import type { GraphQLContext } from "../../graphql/context";
import { BlobType } from "./blob.type";

@Resolver(() => BlobType)
export class BlobResolver {
  @Authorized(Scope.READ)
  @Query(() => BlobType, { description: "Fails with BLOB_NOT_FOUND when the digest was never uploaded." })
  async blob(@Arg("digest") digest: string, @Ctx() { services }: GraphQLContext): Promise<BlobType> {
    const blob = await services.blobs.get(digest);
    return { digest: formatDigest(blob.digest), sizeBytes: blob.sizeBytes, mediaType: blob.mediaType, createdAt: blob.createdAt };
  }
}
