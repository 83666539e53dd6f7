using System.Runtime.InteropServices;
using System.Text;
using Sidewinder.Interop.Native;

namespace Sidewinder.Interop;

/// <summary>Starts CPython with an isolated configuration, version by version.</summary>
/// <remarks>
/// <c>PyConfig</c> is caller-allocated and its layout changes between versions, so for 3.11–3.13 the
/// offsets of the few fields we set are taken from each version's <c>cpython/initconfig.h</c>
/// (3.13 and 3.13t share them: <c>enable_gil</c> fits in padding). Before writing anything the
/// layout is checked against the values <c>PyConfig_InitIsolatedConfig</c> is documented to set; a
/// mismatch refuses to start instead of corrupting memory. 3.14 and later use the opaque
/// <c>PyInitConfig</c> API, which needs no layout at all.
/// </remarks>
internal static unsafe class Initialization
{
    private readonly record struct ConfigLayout(int SiteImport, int UserSiteDirectory, int SafePath, int ProgramName, int Home);

    // Offsets on LP64 (Linux x86-64/arm64). isolated=4, use_environment=8, install_signal_handlers=16 in every version.
    private static readonly Dictionary<(int, int), ConfigLayout> s_layouts = new()
    {
        [(3, 11)] = new(SiteImport: 168, UserSiteDirectory: 208, SafePath: 252, ProgramName: 264, Home: 280),
        [(3, 12)] = new(SiteImport: 176, UserSiteDirectory: 216, SafePath: 260, ProgramName: 272, Home: 288),
        [(3, 13)] = new(SiteImport: 176, UserSiteDirectory: 216, SafePath: 260, ProgramName: 280, Home: 296),
    };

    // Larger than sizeof(PyConfig) in any supported version (424 in 3.11, 448 in 3.13).
    private const int ConfigBufferSize = 2048;

    public static Version ReadVersion()
    {
        var text = Marshal.PtrToStringUTF8((nint)Lifecycle.Py_GetVersion()) ?? "";
        var number = text.Split(' ', 2)[0];
        var end = 0;
        while (end < number.Length && (char.IsDigit(number[end]) || number[end] == '.'))
        {
            end++;
        }
        return Version.Parse(number[..end]);
    }

    public static void Initialize(Version version, PythonInstallation installation)
    {
        if (!IsLp64)
        {
            throw new PlatformNotSupportedException("Sidewinder embeds CPython on 64-bit Linux only.");
        }
        if (version.Major != 3 || version.Minor < 11)
        {
            throw new NotSupportedException($"Python {version} is not supported; Sidewinder needs CPython 3.11 or newer.");
        }
        if (version.Minor >= 14)
        {
            InitializeWithInitConfig(installation);
        }
        else
        {
            InitializeWithPyConfig(s_layouts[(version.Major, version.Minor)], version, installation);
        }
    }

    private static bool IsLp64 => nint.Size == 8 && !OperatingSystem.IsWindows();

    private static void InitializeWithPyConfig(ConfigLayout layout, Version version, PythonInstallation installation)
    {
        var config = (byte*)NativeMemory.AllocZeroed(ConfigBufferSize);
        try
        {
            Lifecycle.PyConfig_InitIsolatedConfig(config);
            VerifyLayout(config, layout, version);

            SetString(config, layout.Home, installation.Home);
            if (installation.Executable is not null)
            {
                SetString(config, layout.ProgramName, installation.Executable);
            }
            // The isolated preset already disables signal handlers, environment variables and the
            // user site directory; keep site_import on so the system's dist-packages (numpy) are found.
            *(int*)(config + layout.SiteImport) = 1;

            var status = Lifecycle.Py_InitializeFromConfig(config);
            ThrowIfFailed(status, "Py_InitializeFromConfig");
        }
        finally
        {
            Lifecycle.PyConfig_Clear(config);
            NativeMemory.Free(config);
        }
    }

    private static void VerifyLayout(byte* config, ConfigLayout layout, Version version)
    {
        static int Int(byte* config, int offset) => *(int*)(config + offset);
        static nint Ptr(byte* config, int offset) => *(nint*)(config + offset);

        var ok = Int(config, 0) == 3 // _PyConfig_INIT_ISOLATED
            && Int(config, 4) == 1 // isolated
            && Int(config, 8) == 0 // use_environment
            && Int(config, 16) == 0 // install_signal_handlers
            && Int(config, layout.SiteImport) == 1
            && Int(config, layout.UserSiteDirectory) == 0
            && Int(config, layout.SafePath) == 1
            && Ptr(config, layout.Home) == 0
            && Ptr(config, layout.ProgramName) == 0;
        if (!ok)
        {
            throw new NotSupportedException(
                $"The PyConfig layout of this Python {version} build does not match the one Sidewinder knows for {version.Major}.{version.Minor}; refusing to start rather than write to the wrong fields.");
        }
    }

    private static void SetString(byte* config, int offset, string value)
    {
        var bytes = Utf8Z(value);
        fixed (byte* p = bytes)
        {
            var status = Lifecycle.PyConfig_SetBytesString(config, (nint*)(config + offset), p);
            ThrowIfFailed(status, "PyConfig_SetBytesString");
        }
    }

    private static void InitializeWithInitConfig(PythonInstallation installation)
    {
        var config = Lifecycle.PyInitConfig_Create();
        if (config == 0)
        {
            throw new PythonInitializationException("PyInitConfig_Create failed (out of memory).");
        }
        try
        {
            SetInt(config, "install_signal_handlers", 0);
            SetInt(config, "use_environment", 0);
            SetInt(config, "user_site_directory", 0);
            SetInt(config, "site_import", 1);
            SetStr(config, "home", installation.Home);
            if (installation.Executable is not null)
            {
                SetStr(config, "program_name", installation.Executable);
            }
            if (Lifecycle.Py_InitializeFromInitConfig(config) < 0)
            {
                throw new PythonInitializationException("Py_InitializeFromInitConfig failed: " + InitConfigError(config));
            }
        }
        finally
        {
            Lifecycle.PyInitConfig_Free(config);
        }
    }

    private static void SetInt(nint config, string name, long value)
    {
        fixed (byte* n = Utf8Z(name))
        {
            if (Lifecycle.PyInitConfig_SetInt(config, n, value) < 0)
            {
                throw new PythonInitializationException($"PyInitConfig_SetInt({name}) failed: {InitConfigError(config)}");
            }
        }
    }

    private static void SetStr(nint config, string name, string value)
    {
        fixed (byte* n = Utf8Z(name))
        fixed (byte* v = Utf8Z(value))
        {
            if (Lifecycle.PyInitConfig_SetStr(config, n, v) < 0)
            {
                throw new PythonInitializationException($"PyInitConfig_SetStr({name}) failed: {InitConfigError(config)}");
            }
        }
    }

    private static string InitConfigError(nint config)
    {
        byte* message;
        return Lifecycle.PyInitConfig_GetError(config, &message) != 0
            ? Marshal.PtrToStringUTF8((nint)message) ?? "unknown error"
            : "unknown error";
    }

    private static void ThrowIfFailed(PyStatus status, string function)
    {
        if (status.Type == 0)
        {
            return;
        }
        var message = Marshal.PtrToStringUTF8(status.ErrMsg) ?? "unknown error";
        var func = Marshal.PtrToStringUTF8(status.Func);
        throw new PythonInitializationException(
            status.Type == 2
                ? $"{function}: Python asked to exit with code {status.ExitCode}."
                : $"{function} failed{(func is null ? "" : $" in {func}")}: {message}");
    }

    internal static byte[] Utf8Z(string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }
}

/// <summary>CPython could not be initialised with the located installation.</summary>
public sealed class PythonInitializationException(string message) : Exception(message);
