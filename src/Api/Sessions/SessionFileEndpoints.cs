using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.StaticFiles;
using Sidewinder.Api.Execution;
using Sidewinder.Api.Limits;
using Sidewinder.Api.Logging;
using Sidewinder.Api.OpenApi;
using Sidewinder.Workers.Sessions;

namespace Sidewinder.Api.Sessions;

/// <summary><c>/sessions/{id}/files</c>: upload, download, list and remove the files of a session's directory.</summary>
internal static class SessionFileEndpoints
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    private const string PathRules = " Paths are relative with `/` separators; absolute paths, `..` or `.` segments, backslashes, " +
        "control characters (NUL included), their percent-encoded forms, and symbolic links that point out of the session's " +
        "directory are refused with 400 `invalid-request`.";

    private const string NotFoundRule = " 404 `file-not-found` when the session has no such file (the session is unchanged); " +
        "404 `session-not-found` when the session itself is gone.";

    public static RouteGroupBuilder MapSessionFileEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/{id}/files", List)
            .WithName("ListSessionFiles")
            .WithSummary("List a session's files")
            .WithDescription("Every regular file under the session's directory (recursively; symbolic links are not followed), " +
                "with size and modification time, and the session's total against `Sessions:MaxFilesBytes`.")
            .Produces<SessionFileListResponse>()
            .ProducesSessionProblems(401, 403, 404)
            .WithMetadata(new ExampleMetadata(null, SessionExamples.Files, SessionExamples.NotFoundProblems));

        group.MapPut("/{id}/files/{**path}", UploadAsync)
            .WithName("UploadSessionFile")
            .WithSummary("Upload a file into a session's directory")
            .WithDescription("Stores the request body as the file (any content type, stored as sent), creating directories and replacing an " +
                "existing file: 201 when created, 200 when replaced. Session code finds it at `SESSION_DIR / path`. 413 " +
                "`too-large` beyond `Sessions:MaxUploadBytes` or when the session's files would pass `Sessions:MaxFilesBytes`; " +
                "a refused or broken upload writes nothing (it goes to a temporary file that is renamed into place). 400 `invalid-request` " +
                "for a path that is a directory or lies under a file. `Location` is the file's URL, each segment percent-encoded." + PathRules)
            // Any content type is stored as it is; "*/*" keeps routing from answering 415 for the ones not listed.
            .Accepts<IFormFile>("application/octet-stream", "*/*")
            .Produces<SessionFileInfo>(StatusCodes.Status201Created)
            .Produces<SessionFileInfo>()
            .ProducesSessionProblems(400, 401, 403, 404, 413)
            .WithMetadata(new LargeBodyMetadata())
            .WithMetadata(new ExampleMetadata(null, SessionExamples.File, SessionExamples.FileProblems));

        group.MapGet("/{id}/files/{**path}", Download)
            .WithName("DownloadSessionFile")
            .WithSummary("Download a file of a session")
            .WithDescription("The file's bytes, with a content type from its extension (`application/octet-stream` when unknown). " +
                "Only regular files: a FIFO, socket or device made by session code is 400 `invalid-request` at once." +
                NotFoundRule + PathRules)
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .ProducesSessionProblems(400, 401, 403, 404)
            .WithMetadata(new ExampleMetadata(null, null, SessionExamples.FileProblems));

        group.MapDelete("/{id}/files/{**path}", Delete)
            .WithName("DeleteSessionFile")
            .WithSummary("Remove a file (or a directory) of a session")
            .WithDescription("Removes the file, or the directory with everything in it." + NotFoundRule + PathRules)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesSessionProblems(400, 401, 403, 404)
            .WithMetadata(new ExampleMetadata(null, null, SessionExamples.FileProblems));
        return group;
    }

    private static IResult List(string id, HttpContext context, SessionStore store)
    {
        if (store.Find(id, SessionEndpoints.Owner(context)) is not { } session)
        {
            return SessionEndpoints.NotFound(context);
        }
        var files = session.Files.List();
        return TypedResults.Ok(new SessionFileListResponse(files, files.Sum(f => f.Size), store.Options.MaxFilesBytes));
    }

    private static async Task<IResult> UploadAsync(string id, string? path, HttpContext context, SessionStore store)
    {
        if (store.Find(id, SessionEndpoints.Owner(context)) is not { } session)
        {
            return SessionEndpoints.NotFound(context);
        }
        // The service-wide body limit is for JSON requests; uploads have their own, enforced while the body streams in.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
        path ??= ""; // "/files/" with nothing after it: refused below as an empty path, like any invalid one
        var written = await session.Files.WriteAsync(path, context.Request.Body, context.Request.ContentLength, context.RequestAborted).ConfigureAwait(false);
        return written.Status switch
        {
            SessionFileStatus.Created => TypedResults.Created(FileUrl(id, path), Info(session, path, written)),
            SessionFileStatus.Ok => TypedResults.Ok(Info(session, path, written)),
            _ => Failed(context, written),
        };
    }

    private static IResult Download(string id, string? path, HttpContext context, SessionStore store)
    {
        if (store.Find(id, SessionEndpoints.Owner(context)) is not { } session)
        {
            return SessionEndpoints.NotFound(context);
        }
        path ??= "";
        var found = session.Files.OpenRead(path, out var stream);
        if (found.Status != SessionFileStatus.Ok)
        {
            return Failed(context, found);
        }
        var type = ContentTypes.TryGetContentType(path, out var known) ? known : "application/octet-stream";
        var modified = new DateTimeOffset(File.GetLastWriteTimeUtc(found.FullPath!), TimeSpan.Zero);
        return TypedResults.File(stream!, type, Path.GetFileName(found.FullPath), modified, enableRangeProcessing: true);
    }

    private static IResult Delete(string id, string? path, HttpContext context, SessionStore store)
    {
        if (store.Find(id, SessionEndpoints.Owner(context)) is not { } session)
        {
            return SessionEndpoints.NotFound(context);
        }
        var removed = session.Files.Delete(path ?? "");
        return removed.Status == SessionFileStatus.Ok ? TypedResults.NoContent() : Failed(context, removed);
    }

    /// <summary>The file's URL with each segment percent-encoded: a Location header holds ASCII only, and a name with a
    /// space, <c>#</c> or <c>?</c> must come back to the same file.</summary>
    private static string FileUrl(string id, string path) =>
        "/sessions/" + Uri.EscapeDataString(id) + "/files/" + string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    private static SessionFileInfo Info(PythonSession session, string path, SessionFileResult written)
    {
        var file = new FileInfo(written.FullPath!);
        return new SessionFileInfo(path, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
    }

    private static IResult Failed(HttpContext context, SessionFileResult result)
    {
        RequestJobInfo.Set(context, null, Outcomes.Invalid);
        return result.Status switch
        {
            SessionFileStatus.NotFound => Problems.Result(Problems.FileNotFound(result.Message!)),
            SessionFileStatus.TooLarge => Problems.TooLarge(result.Message!),
            _ => Problems.Invalid(result.Message!),
        };
    }
}
