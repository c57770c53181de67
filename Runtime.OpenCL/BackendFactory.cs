using System;
using System.Collections.Generic;
using Cortex.Backends;
using Silk.NET.OpenCL;

namespace Cortex.OpenCL;

/// <summary>Which backend <see cref="BackendFactory.CreateBest(BackendPreference, int)"/> should try first.</summary>
public enum BackendPreference
{
    /// <summary>An OpenCL GPU (or accelerator) when there is one, else the CPU backend. Right for large batches.</summary>
    Gpu = 0,
    /// <summary>The best OpenCL device of any type (an OpenCL CPU runtime included), else the CPU backend.</summary>
    OpenCl = 1,
    /// <summary>The managed CPU backend. Right for small networks and batches, where a device's launch latency dominates.</summary>
    Cpu = 2,
}

/// <summary>Picks the best available backend and falls back to <see cref="CpuBackend"/> when OpenCL cannot serve.</summary>
public static class BackendFactory
{
    /// <summary>Creates the preferred backend, or a <see cref="CpuBackend"/> when OpenCL is unavailable or has no fitting device.</summary>
    /// <param name="prefer">What to try first.</param>
    /// <param name="cpuThreads">Threads of the CPU backend, if that is what is created.</param>
    public static IBackend CreateBest(BackendPreference prefer = BackendPreference.Gpu, int cpuThreads = 1) =>
        CreateBest(prefer, cpuThreads, out _);

    /// <summary>As <see cref="CreateBest(BackendPreference, int)"/>, and says why that backend was chosen.</summary>
    /// <param name="prefer">What to try first.</param>
    /// <param name="cpuThreads">Threads of the CPU backend, if that is what is created.</param>
    /// <param name="reason">Why: the device chosen, or why OpenCL could not serve.</param>
    public static IBackend CreateBest(BackendPreference prefer, int cpuThreads, out string reason) =>
        CreateBest(prefer, cpuThreads, null, out reason);

    /// <summary>As above, loading OpenCL from <paramref name="libraryNames"/> when given (tests use a name that does not exist).</summary>
    internal static IBackend CreateBest(BackendPreference prefer, int cpuThreads, IReadOnlyList<string>? libraryNames, out string reason)
    {
        if (prefer is < BackendPreference.Gpu or > BackendPreference.Cpu) throw new ArgumentOutOfRangeException(nameof(prefer), prefer, "Unknown preference.");
        if (cpuThreads < 1) throw new ArgumentOutOfRangeException(nameof(cpuThreads), cpuThreads, "cpuThreads must be at least 1.");
        if (prefer == BackendPreference.Cpu)
        {
            reason = "the CPU backend was asked for";
            return new CpuBackend(cpuThreads);
        }
        try
        {
            CL api = libraryNames is null ? OpenClLibrary.Api : OpenClLibrary.Load(libraryNames);
            IReadOnlyList<OpenClDevice> devices = OpenClDevice.Enumerate(api);
            OpenClDevice? device = OpenClDeviceSelector.Best.Choose(devices);
            if (device is null)
            {
                reason = "no usable OpenCL device was found";
                return new CpuBackend(cpuThreads);
            }
            if (prefer == BackendPreference.Gpu && device.Type is not (OpenClDeviceType.Gpu or OpenClDeviceType.Accelerator))
            {
                reason = $"no OpenCL GPU or accelerator was found (the best device is {device})";
                return new CpuBackend(cpuThreads);
            }
            var backend = new OpenClBackend(api, device);
            reason = $"OpenCL device {device}";
            return backend;
        }
        catch (Exception e) when (e is OpenClUnavailableException or OpenClException)
        {
            reason = $"OpenCL could not serve: {e.Message}";
            return new CpuBackend(cpuThreads);
        }
    }
}
