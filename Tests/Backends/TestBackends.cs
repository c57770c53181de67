using System;
using System.Collections.Generic;
using Cortex.Backends;
using Cortex.OpenCL;
using NUnit.Framework;

namespace Cortex.Tests.Backends;

/// <summary>
/// The backends every backend test runs against, by name ("cpu", "opencl", and "opencl-device-memory": the same device
/// with its buffers kept out of shared host memory, so that a device which shares it runs both paths). OpenCL uses the device
/// named by the environment variable CORTEX_OPENCL_DEVICE (see <see cref="OpenClDeviceSelector.Parse"/>),
/// else the best one. Without any OpenCL platform the OpenCL fixtures are ignored with the reason,
/// except under CI=true, where they fail: CI installs PoCL and must run them.
/// </summary>
internal static class TestBackends
{
    public const string Cpu = "cpu";
    public const string OpenCl = "opencl";
    public const string OpenClDeviceMemory = "opencl-device-memory";

    /// <summary>Fixture arguments for [TestFixtureSource]: one fixture per backend.</summary>
    public static IEnumerable<TestFixtureData> Fixtures()
    {
        yield return new TestFixtureData(Cpu);
        yield return new TestFixtureData(OpenCl);
        yield return new TestFixtureData(OpenClDeviceMemory);
    }

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static IBackend Create(string name) => name switch
    {
        Cpu => new CpuBackend(),
        OpenCl => CreateOpenCl(),
        OpenClDeviceMemory => CreateOpenCl(sharedMemory: false),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown test backend."),
    };

    /// <summary>Every OpenCL device, or Ignore (Fail under CI=true) when there is no OpenCL platform.</summary>
    public static IReadOnlyList<OpenClDevice> RequireOpenClDevices()
    {
        string why;
        try
        {
            IReadOnlyList<OpenClDevice> devices = OpenClDevice.All();
            if (devices.Count > 0) return devices;
            why = "the OpenCL library reports no platform or device";
        }
        catch (OpenClUnavailableException e)
        {
            why = e.Message;
        }
        if (IsCi) Assert.Fail($"CI=true requires an OpenCL device (install pocl-opencl-icd), but {why}");
        Assert.Ignore($"No OpenCL platform on this machine, so the OpenCL tests cannot run: {why}");
        return Array.Empty<OpenClDevice>();
    }

    private static bool HasAnyDevice()
    {
        try
        {
            return OpenClDevice.All().Count > 0;
        }
        catch (OpenClUnavailableException)
        {
            return false;
        }
    }

    /// <summary>An OpenCL backend on the test device, or Ignore (Fail under CI=true) when OpenCL is unavailable.</summary>
    /// <param name="sharedMemory">False: buffers in device memory even where the device shares host memory.</param>
    public static OpenClBackend CreateOpenCl(bool sharedMemory = true)
    {
        OpenClDeviceSelector selector = OpenClDeviceSelector.Parse(Environment.GetEnvironmentVariable("CORTEX_OPENCL_DEVICE"));
        try
        {
            return new OpenClBackend(selector) { PreferSharedMemory = sharedMemory };
        }
        catch (OpenClUnavailableException e)
        {
            if (IsCi) Assert.Fail($"CI=true requires an OpenCL device (install pocl-opencl-icd), but: {e.Message}");
            if (HasAnyDevice()) Assert.Fail($"OpenCL has devices but none could be used: {e.Message}");
            Assert.Ignore($"No OpenCL platform on this machine, so the OpenCL tests cannot run: {e.Message}");
            throw;
        }
    }
}
