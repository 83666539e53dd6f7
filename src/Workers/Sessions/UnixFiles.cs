using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sidewinder.Workers.Sessions;

/// <summary>The two file operations of a session's directory that System.IO cannot do safely on Linux, through libc: opening
/// a file for reading without blocking when session code has put a FIFO there, and removing a tree whose names are not
/// valid UTF-8 (System.IO decodes such a name lossily and can then neither stat nor delete it).</summary>
/// <remarks>Used on Linux x64 and arm64, whose <c>open</c> flags and <c>struct dirent</c> layout are written here; elsewhere
/// <see cref="Supported"/> is false and callers use System.IO.</remarks>
internal static unsafe partial class UnixFiles
{
    private const int ORdOnly = 0;
    private const int ONonBlock = 0x800;
    private const int OCloExec = 0x80000;
    private const int AtRemoveDir = 0x200;
    private const int ENoEnt = 2;
    private const int ENxIo = 6;
    private const int EIsDir = 21;
    private const int NameOffset = 19; // d_ino (8), d_off (8), d_reclen (2), d_type (1), then d_name (glibc and musl)

    /// <summary>True where the constants above are right.</summary>
    public static bool Supported { get; } = OperatingSystem.IsLinux() &&
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    // O_NOFOLLOW differs between the two architectures.
    private static int ONoFollow => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000 : 0x20000;

    /// <summary>Opens <paramref name="path"/> for reading if it is a regular file (a symbolic link at its end is followed:
    /// the caller has checked where it leads). A FIFO, socket or device is refused rather than waited on.</summary>
    /// <returns>The stream, or null with <paramref name="refusal"/> (null when the file does not exist).</returns>
    public static FileStream? OpenRegularFile(string path, out string? refusal)
    {
        refusal = null;
        var fd = open(path, ORdOnly | ONonBlock | OCloExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            refusal = errno switch
            {
                ENoEnt or 20 => null, // ENOTDIR: a component is a file
                ENxIo => "is not a regular file (a socket)",
                _ => $"cannot be opened ({Marshal.GetPInvokeErrorMessage(errno)})",
            };
            return null;
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var stream = new FileStream(handle, FileAccess.Read, bufferSize: 64 * 1024);
            if (stream.CanSeek)
            {
                return stream; // regular files seek, FIFOs do not (O_NONBLOCK changes nothing for a regular file)
            }
            stream.Dispose();
            refusal = "is not a regular file (a pipe or device)";
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            handle.Dispose(); // a directory: FileStream refuses it
            refusal = "is a directory";
            return null;
        }
    }

    /// <summary>Removes <paramref name="path"/> and everything under it by the names' bytes, never following a symbolic
    /// link. Throws <see cref="IOException"/> naming what could not be removed.</summary>
    public static void RemoveTree(string path)
    {
        var fd = open(path, ORdOnly | OCloExec | ONoFollow);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == ENoEnt)
            {
                return;
            }
            throw new IOException($"'{path}' cannot be opened: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        RemoveContents(fd, path); // closes fd
        if (rmdir(path) != 0 && Marshal.GetLastPInvokeError() is var errno2 and not ENoEnt)
        {
            throw new IOException($"'{path}' cannot be removed: {Marshal.GetPInvokeErrorMessage(errno2)}");
        }
    }

    /// <summary>Removes every entry of the directory open as <paramref name="fd"/>, which it then closes.</summary>
    private static void RemoveContents(int fd, string where)
    {
        var dir = fdopendir(fd);
        if (dir == null)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = close(fd);
            throw new IOException($"'{where}' cannot be read: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        try
        {
            var names = new List<byte[]>();
            for (var entry = readdir(dir); entry != null; entry = readdir(dir))
            {
                var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(entry + NameOffset);
                if (name is not [(byte)'.'] and not [(byte)'.', (byte)'.'])
                {
                    names.Add([.. name, 0]);
                }
            }
            foreach (var name in names)
            {
                RemoveEntry(dirfd(dir), name, where);
            }
        }
        finally
        {
            _ = closedir(dir); // closes fd
        }
    }

    private static void RemoveEntry(int parent, byte[] name, string where)
    {
        fixed (byte* n = name)
        {
            if (unlinkat(parent, n, 0) == 0)
            {
                return; // a file, link, FIFO or socket
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == ENoEnt)
            {
                return;
            }
            if (errno != EIsDir)
            {
                throw new IOException($"An entry of '{where}' cannot be removed: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
            var child = openat(parent, n, ORdOnly | OCloExec | ONoFollow);
            if (child < 0)
            {
                errno = Marshal.GetLastPInvokeError();
                throw new IOException($"A directory in '{where}' cannot be opened: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
            RemoveContents(child, where);
            if (unlinkat(parent, n, AtRemoveDir) != 0 && Marshal.GetLastPInvokeError() is var again and not ENoEnt)
            {
                throw new IOException($"A directory in '{where}' cannot be removed: {Marshal.GetPInvokeErrorMessage(again)}");
            }
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int openat(int dirfd, byte* name, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int unlinkat(int dirfd, byte* name, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rmdir(string path);

    [LibraryImport("libc", SetLastError = true)]
    private static partial void* fdopendir(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial byte* readdir(void* dir);

    [LibraryImport("libc")]
    private static partial int dirfd(void* dir);

    [LibraryImport("libc")]
    private static partial int closedir(void* dir);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
