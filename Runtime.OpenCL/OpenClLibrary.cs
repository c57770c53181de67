using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Silk.NET.OpenCL;

namespace Cortex.OpenCL;

/// <summary>Loads the OpenCL library (the ICD loader) once per process.</summary>
internal static class OpenClLibrary
{
    private static readonly object Gate = new();
    private static CL? _api;

    /// <summary>The names tried, in order, on this operating system.</summary>
    public static IReadOnlyList<string> DefaultNames { get; } = ChooseNames();

    /// <summary>The process-wide binding; throws <see cref="OpenClUnavailableException"/> when no library loads (and retries next time).</summary>
    public static CL Api
    {
        get
        {
            lock (Gate)
            {
                return _api ??= Load(DefaultNames);
            }
        }
    }

    /// <summary>Loads a binding from the first of <paramref name="names"/> that loads.</summary>
    public static CL Load(IReadOnlyList<string> names)
    {
        string[] list = new string[names.Count];
        for (int i = 0; i < list.Length; i++) list[i] = names[i];
        try
        {
            return new CL(CL.CreateDefaultContext(list));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new OpenClUnavailableException("The OpenCL library could not be loaded (is an OpenCL driver or ICD loader installed?).",
                $"libraries {string.Join(", ", list)} ({e.GetType().Name}: {e.Message})", e);
        }
    }

    private static string[] ChooseNames()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return new[] { "OpenCL.dll" };
        if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) return new[] { "/System/Library/Frameworks/OpenCL.framework/OpenCL", "libOpenCL.dylib" };
        return new[] { "libOpenCL.so.1", "libOpenCL.so" };
    }
}
