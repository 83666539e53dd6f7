using System.IO.Enumeration;
using System.Security.Cryptography;

namespace Sidewinder.Workers.Sessions;

/// <summary>How a file operation of a session ended.</summary>
public enum SessionFileStatus
{
    /// <summary>Done (an existing file was replaced, read, listed or removed).</summary>
    Ok,

    /// <summary>An upload created a new file.</summary>
    Created,

    /// <summary>No such file.</summary>
    NotFound,

    /// <summary>The path is not allowed (traversal, absolute, a symbolic link out of the directory, bad characters); nothing was written.</summary>
    Invalid,

    /// <summary>The upload is larger than allowed, or would pass the session's total; nothing was written.</summary>
    TooLarge,
}

/// <summary>The result of a file operation; <see cref="FullPath"/> is set for a file that can be read.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Message">Why it failed, naming the limit; null on success.</param>
/// <param name="FullPath">The file on disk (for downloads).</param>
public sealed record SessionFileResult(SessionFileStatus Status, string? Message = null, string? FullPath = null);

/// <summary>One file of a session's directory.</summary>
/// <param name="Path">Relative path with <c>/</c> separators.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Modified">Last write time (UTC).</param>
public sealed record SessionFileInfo(string Path, long Size, DateTimeOffset Modified);

/// <summary>A session's own directory: uploads (size-capped, written to a temporary file and renamed, so a refused or
/// broken upload leaves nothing), downloads, listing and removal, all confined to the directory.</summary>
/// <remarks>
/// Paths are relative, <c>/</c>-separated, and refused when they are absolute, contain <c>..</c> or <c>.</c> segments,
/// empty segments, backslashes, control characters (NUL included) or percent-encoded forms of any of these, or lead
/// through a symbolic link whose target lies outside the directory. Session code can create symbolic links (it can do
/// anything the process can), so the check resolves every component that exists at the time of the request.
/// </remarks>
public sealed class SessionFiles
{
    private const int MaxPathChars = 1024;
    private const int MaxDepth = 32;
    private readonly string _root;
    private readonly string _uploads;
    private readonly long _maxUpload;
    private readonly long _maxTotal;

    internal SessionFiles(string directory, string uploads, long maxUpload, long maxTotal)
    {
        Directory = directory;
        _root = directory + System.IO.Path.DirectorySeparatorChar;
        _uploads = uploads;
        _maxUpload = maxUpload;
        _maxTotal = maxTotal;
    }

    /// <summary>The directory's full path (what session code sees as <c>SESSION_DIR</c>).</summary>
    public string Directory { get; }

    /// <summary>Bytes of all files under the directory now (symbolic links are not followed).</summary>
    public long UsedBytes() => Entries().Sum(static f => f.Size);

    /// <summary>Every file under the directory, by path.</summary>
    public IReadOnlyList<SessionFileInfo> List()
    {
        var files = Entries();
        files.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path));
        return files;
    }

    /// <summary>Every file under the directory, read from the directory entries themselves. A name that is not valid
    /// UTF-8 (session code can make one) cannot be named in a URL or a JSON string and is left out.</summary>
    private List<SessionFileInfo> Entries()
    {
        var files = new List<SessionFileInfo>();
        try
        {
            var entries = new FileSystemEnumerable<SessionFileInfo?>(Directory, (ref FileSystemEntry entry) =>
            {
                var full = entry.ToFullPath();
                if (full.Contains('\uFFFD', StringComparison.Ordinal) && !File.Exists(full))
                {
                    return null; // decoded lossily: no stat, no size, no way to address it
                }
                var relative = System.IO.Path.GetRelativePath(Directory, full).Replace(System.IO.Path.DirectorySeparatorChar, '/');
                return new SessionFileInfo(relative, entry.Length, entry.LastWriteTimeUtc);
            }, Recursive)
            {
                ShouldIncludePredicate = static (ref FileSystemEntry entry) => !entry.IsDirectory,
            };
            foreach (var file in entries)
            {
                if (file is not null)
                {
                    files.Add(file);
                }
            }
        }
        catch (IOException)
        {
            // removed meanwhile
        }
        return files;
    }

    /// <summary>The file to download, open for reading, or why not. A FIFO, socket or device that session code put there
    /// is refused instead of opened (opening a FIFO would wait for a writer).</summary>
    /// <param name="path">Relative path.</param>
    /// <param name="stream">The open file on success; the caller disposes it.</param>
    public SessionFileResult OpenRead(string path, out FileStream? stream)
    {
        stream = null;
        var resolved = Resolve(path);
        if (resolved.Status != SessionFileStatus.Ok)
        {
            return resolved;
        }
        var notFound = new SessionFileResult(SessionFileStatus.NotFound, $"No file '{path}' in the session.");
        if (!File.Exists(resolved.FullPath))
        {
            return notFound;
        }
        if (!UnixFiles.Supported)
        {
            stream = new FileStream(resolved.FullPath!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
            return resolved;
        }
        stream = UnixFiles.OpenRegularFile(resolved.FullPath!, out var refusal);
        return stream is not null ? resolved
            : refusal is null ? notFound
            : new SessionFileResult(SessionFileStatus.Invalid, $"'{path}' {refusal}; only regular files can be downloaded.");
    }

    /// <summary>Removes a file, or a directory with everything in it.</summary>
    public SessionFileResult Delete(string path)
    {
        var resolved = Resolve(path);
        if (resolved.Status != SessionFileStatus.Ok)
        {
            return resolved;
        }
        var full = resolved.FullPath!;
        if (File.Exists(full))
        {
            File.Delete(full);
            return resolved;
        }
        if (System.IO.Directory.Exists(full))
        {
            RemoveTree(full);
            return resolved;
        }
        return new SessionFileResult(SessionFileStatus.NotFound, $"No file '{path}' in the session.");
    }

    /// <summary>Stores <paramref name="content"/> at <paramref name="path"/> (creating directories), replacing a file there.</summary>
    /// <param name="path">Relative path.</param>
    /// <param name="content">The bytes.</param>
    /// <param name="declaredLength">The request's <c>Content-Length</c>, if known: a larger one is refused before reading.</param>
    /// <param name="cancellationToken">Stops the upload; nothing is written.</param>
    public async Task<SessionFileResult> WriteAsync(string path, Stream content, long? declaredLength, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var resolved = Resolve(path);
        if (resolved.Status != SessionFileStatus.Ok)
        {
            return resolved;
        }
        var full = resolved.FullPath!;
        if (WriteConflict(path, full) is { } conflict)
        {
            return conflict;
        }
        if (declaredLength > _maxUpload)
        {
            return TooLargeUpload(declaredLength.Value);
        }
        var existed = File.Exists(full);
        var replaced = existed ? new FileInfo(full).Length : 0;
        var room = _maxTotal - (UsedBytes() - replaced);
        var temporary = System.IO.Path.Combine(_uploads, System.IO.Path.GetFileName(Directory) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        long written = 0;
        try
        {
            await using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
            {
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    written += read;
                    if (written > _maxUpload)
                    {
                        return TooLargeUpload(written);
                    }
                    if (written > room)
                    {
                        return TooLargeTotal();
                    }
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
            // Checked again just before the rename: session code may have made a directory of the path meanwhile.
            var again = Resolve(path);
            if (again.Status != SessionFileStatus.Ok)
            {
                return again;
            }
            if (WriteConflict(path, full) is { } changed)
            {
                return changed;
            }
            System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.Move(temporary, full, overwrite: true);
            return new SessionFileResult(existed ? SessionFileStatus.Ok : SessionFileStatus.Created, null, full);
        }
        finally
        {
            File.Delete(temporary); // gone after the rename; a refused or broken upload leaves nothing
        }
    }

    /// <summary>Why a file cannot be stored at <paramref name="full"/>: it is a directory, or a directory on the way to it
    /// is a file.</summary>
    private SessionFileResult? WriteConflict(string path, string full)
    {
        if (System.IO.Directory.Exists(full))
        {
            return new SessionFileResult(SessionFileStatus.Invalid, $"'{path}' is a directory.");
        }
        var segments = path.Split('/');
        for (var i = 1; i < segments.Length; i++)
        {
            var parent = string.Join('/', segments, 0, i);
            if (File.Exists(System.IO.Path.Combine(Directory, parent)))
            {
                return new SessionFileResult(SessionFileStatus.Invalid,
                    $"'{parent}' is a file, so '{path}' cannot be created under it; remove or rename '{parent}' first.");
            }
        }
        return null;
    }

    /// <summary>Removes a directory and everything in it, also names that are not valid UTF-8, which System.IO cannot
    /// address (it decodes them lossily).</summary>
    internal static void RemoveTree(string full)
    {
        try
        {
            System.IO.Directory.Delete(full, recursive: true);
        }
        catch (Exception ex) when (ex is IOException and not DirectoryNotFoundException or UnauthorizedAccessException && UnixFiles.Supported)
        {
            UnixFiles.RemoveTree(full);
        }
    }

    private SessionFileResult TooLargeUpload(long size) => new(SessionFileStatus.TooLarge,
        $"The upload has {(size > _maxUpload ? "more than " + _maxUpload : size.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes; the limit is {_maxUpload} (Sessions:MaxUploadBytes).");

    private SessionFileResult TooLargeTotal() => new(SessionFileStatus.TooLarge,
        $"The upload would take the session's files past {_maxTotal} bytes (Sessions:MaxFilesBytes).");

    /// <summary>The full path of a valid relative path inside the directory, or why it is refused.</summary>
    public SessionFileResult Resolve(string path)
    {
        if (CheckPath(path) is { } problem)
        {
            return new SessionFileResult(SessionFileStatus.Invalid, problem);
        }
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(Directory, path.Replace('/', System.IO.Path.DirectorySeparatorChar)));
        if (!full.StartsWith(_root, StringComparison.Ordinal))
        {
            return new SessionFileResult(SessionFileStatus.Invalid, $"'{path}' is outside the session's directory.");
        }
        // Every existing component: a symbolic link must stay inside the directory (session code may have made one).
        var current = Directory;
        foreach (var segment in path.Split('/'))
        {
            current = System.IO.Path.Combine(current, segment);
            FileSystemInfo info = new FileInfo(current);
            if (!info.Exists)
            {
                info = new DirectoryInfo(current);
                if (!info.Exists)
                {
                    break;
                }
            }
            if (info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
                if (target is null || !(target + System.IO.Path.DirectorySeparatorChar).StartsWith(_root, StringComparison.Ordinal))
                {
                    return new SessionFileResult(SessionFileStatus.Invalid, $"'{path}' leads through a symbolic link that points out of the session's directory.");
                }
            }
        }
        return new SessionFileResult(SessionFileStatus.Ok, null, full);
    }

    /// <summary>Why a relative path is refused, or null. Checks the path as given and once percent-decoded, so that an
    /// encoded <c>%2e%2e%2f</c> is caught even where the HTTP layer left it encoded.</summary>
    public static string? CheckPath(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "The file path must not be empty.";
        }
        if (path.Length > MaxPathChars)
        {
            return $"The file path has {path.Length} characters; the limit is {MaxPathChars}.";
        }
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(path);
        }
        catch (UriFormatException)
        {
            return $"The file path '{path}' is not valid.";
        }
        return Check(path) ?? (decoded == path ? null : Check(decoded));

        static string? Check(string path)
        {
            if (path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal) || (path.Length > 1 && path[1] == ':'))
            {
                return $"The file path '{Printable(path)}' must be relative, with '/' separators (no absolute paths, drive letters or backslashes).";
            }
            foreach (var c in path)
            {
                if (char.IsControl(c))
                {
                    return $"The file path '{Printable(path)}' contains a control character (U+{(int)c:X4}).";
                }
            }
            var segments = path.Split('/');
            if (segments.Length > MaxDepth)
            {
                return $"The file path has {segments.Length} segments; the limit is {MaxDepth}.";
            }
            foreach (var segment in segments)
            {
                if (segment is "" or "." or "..")
                {
                    return $"The file path '{Printable(path)}' has an empty, '.' or '..' segment; paths stay inside the session's directory.";
                }
                if (segment.Length > 255)
                {
                    return "A file name in the path is longer than 255 characters.";
                }
            }
            return null;
        }
    }

    private static string Printable(string path) => new([.. path.Select(static c => char.IsControl(c) ? '?' : c)]);

    private static readonly EnumerationOptions Recursive = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.ReparsePoint, // symbolic links are neither listed nor followed
        IgnoreInaccessible = true,
    };
}
