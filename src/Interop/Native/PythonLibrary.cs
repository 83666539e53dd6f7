using System.Reflection;
using System.Runtime.InteropServices;

namespace Sidewinder.Interop.Native;

/// <summary>
/// The one place that decides which libpython the <c>[LibraryImport]</c> declarations bind to.
/// </summary>
/// <remarks>
/// The library is opened with <c>RTLD_NOW | RTLD_GLOBAL</c> so that extension modules loaded later
/// (numpy's <c>_multiarray_umath</c> and friends) can resolve <c>Py*</c> symbols against it.
/// <see cref="NativeLibrary.Load(string)"/> cannot pass RTLD_GLOBAL, so dlopen is called directly.
/// A process can load exactly one libpython; loading a second one is refused.
/// </remarks>
internal static partial class PythonLibrary
{
    public const string Name = "sidewinder-libpython";

    private const int RtldNow = 0x2;
    private const int RtldGlobal = 0x100;

    private static readonly Lock s_gate = new();
    private static nint s_handle;
    private static string? s_path;

    public static nint Handle => s_handle;

    public static void Load(string path)
    {
        lock (s_gate)
        {
            if (s_handle != 0)
            {
                if (s_path == path)
                {
                    return;
                }
                throw new InvalidOperationException(
                    $"libpython '{s_path}' is already loaded in this process; cannot also load '{path}'. One process embeds one Python runtime.");
            }

            nint handle;
            if (OperatingSystem.IsLinux() || OperatingSystem.IsFreeBSD())
            {
                handle = dlopen(path, RtldNow | RtldGlobal);
                if (handle == 0)
                {
                    var reason = Marshal.PtrToStringUTF8(dlerror()) ?? "unknown error";
                    throw new DllNotFoundException($"Could not load libpython from '{path}': {reason}");
                }
            }
            else
            {
                handle = NativeLibrary.Load(path);
            }

            NativeLibrary.SetDllImportResolver(typeof(PythonLibrary).Assembly, Resolve);
            s_path = path;
            s_handle = handle;
        }
    }

    /// <summary>Address of an exported data symbol (a type object, <c>_Py_NoneStruct</c>, an exception pointer variable).</summary>
    public static nint GetExport(string symbol) => NativeLibrary.GetExport(s_handle, symbol);

    public static bool TryGetExport(string symbol, out nint address) =>
        NativeLibrary.TryGetExport(s_handle, symbol, out address);

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != Name)
        {
            return 0;
        }
        return s_handle != 0
            ? s_handle
            : throw new InvalidOperationException("The Python runtime is not loaded yet: start a PythonRuntime first.");
    }

    /// <summary>Sets a variable in the C environment (which native code reads with <c>getenv</c>); .NET's
    /// <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes only its own copy.</summary>
    public static void SetProcessEnvironment(string name, string value)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsFreeBSD())
        {
            Environment.SetEnvironmentVariable(name, value);
            return;
        }
        if (setenv(name, value, 1) != 0)
        {
            throw new InvalidOperationException($"setenv({name}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        Environment.SetEnvironmentVariable(name, value);
    }

    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint dlopen(string fileName, int flags);

    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc.so.6")]
    private static partial nint dlerror();
}
