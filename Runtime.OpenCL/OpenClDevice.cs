using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Silk.NET.OpenCL;

namespace Cortex.OpenCL;

/// <summary>What kind of processor an OpenCL device is.</summary>
public enum OpenClDeviceType
{
    /// <summary>Anything else (custom devices).</summary>
    Other = 0,
    /// <summary>A CPU device (e.g. PoCL, Intel's or AMD's CPU runtimes).</summary>
    Cpu = 1,
    /// <summary>A GPU.</summary>
    Gpu = 2,
    /// <summary>A dedicated accelerator (FPGA, DSP, ...).</summary>
    Accelerator = 3,
}

/// <summary>
/// One OpenCL device as the drivers report it: its platform, name, type, compute units and memory.
/// <see cref="All"/> lists every device of every platform; <see cref="Listing()"/> prints them as a table.
/// </summary>
public sealed class OpenClDevice
{
    private const ulong CorrectlyRoundedDivideSqrt = 1 << 7;

    private OpenClDevice(nint platformId, nint deviceId, int index, int platformIndex)
    {
        PlatformId = platformId;
        DeviceId = deviceId;
        Index = index;
        PlatformIndex = platformIndex;
    }

    /// <summary>Position in <see cref="All"/> (platforms in driver order, then their devices): what <see cref="OpenClDeviceSelector.AtIndex"/> takes.</summary>
    public int Index { get; }

    /// <summary>Position of the device's platform among the platforms.</summary>
    public int PlatformIndex { get; }

    /// <summary>The platform's name, e.g. "NVIDIA CUDA" or "Portable Computing Language".</summary>
    public string PlatformName { get; private set; } = "";

    /// <summary>The platform's vendor.</summary>
    public string PlatformVendor { get; private set; } = "";

    /// <summary>The platform's version string, e.g. "OpenCL 3.0 CUDA 12.4".</summary>
    public string PlatformVersion { get; private set; } = "";

    /// <summary>The device's name.</summary>
    public string Name { get; private set; } = "";

    /// <summary>The device's vendor.</summary>
    public string Vendor { get; private set; } = "";

    /// <summary>The OpenCL version the device supports, e.g. "OpenCL 3.0".</summary>
    public string Version { get; private set; } = "";

    /// <summary>The driver's version string.</summary>
    public string DriverVersion { get; private set; } = "";

    /// <summary>GPU, CPU, accelerator or other.</summary>
    public OpenClDeviceType Type { get; private set; }

    /// <summary>Parallel compute units (GPU multiprocessors, CPU cores).</summary>
    public int ComputeUnits { get; private set; }

    /// <summary>Highest clock in MHz, as reported.</summary>
    public int MaxClockMHz { get; private set; }

    /// <summary>Global memory in bytes.</summary>
    public long GlobalMemoryBytes { get; private set; }

    /// <summary>Largest single buffer in bytes.</summary>
    public long MaxAllocationBytes { get; private set; }

    /// <summary>Local (work-group shared) memory in bytes.</summary>
    public long LocalMemoryBytes { get; private set; }

    /// <summary>Largest work-group.</summary>
    public int MaxWorkGroupSize { get; private set; }

    /// <summary>True when the device is available and has a compiler, so a backend can run on it.</summary>
    public bool IsUsable { get; private set; }

    internal nint PlatformId { get; }

    internal nint DeviceId { get; }

    /// <summary>Whether single-precision division and square root can be asked to round correctly.</summary>
    internal bool HasCorrectlyRoundedDivideSqrt { get; private set; }

    /// <summary>
    /// Whether the device works in the host's memory (CL_DEVICE_HOST_UNIFIED_MEMORY, as CPU devices and integrated GPUs
    /// do) and shares fine-grained SVM buffers with the host (OpenCL 2.0 or later): a backend may then keep its buffers in
    /// memory the host reads and writes directly.
    /// </summary>
    internal bool SharesHostMemory { get; private set; }

    /// <summary>
    /// Every device of every OpenCL platform, in driver order. Empty when the library loads but reports
    /// no platform; throws <see cref="OpenClUnavailableException"/> when the library cannot be loaded.
    /// </summary>
    public static IReadOnlyList<OpenClDevice> All() => Enumerate(OpenClLibrary.Api);

    /// <summary>
    /// A readable table of the devices: index, platform, device, type, compute units, clock, memory, and the GEMM variant
    /// measured fastest on the device in this process or kept in <see cref="OpenClBackend.GemmTuningFile"/> ("-" before any).
    /// Never throws: when OpenCL is unavailable it says so and why.
    /// </summary>
    public static string Listing()
    {
        IReadOnlyList<OpenClDevice> devices;
        try
        {
            devices = All();
        }
        catch (OpenClUnavailableException e)
        {
            return "OpenCL unavailable: " + e.Message;
        }
        return Listing(devices);
    }

    /// <summary>A readable table of the given devices (see <see cref="Listing()"/>).</summary>
    /// <param name="devices">Devices, e.g. from <see cref="All"/>.</param>
    public static string Listing(IReadOnlyList<OpenClDevice> devices)
    {
        if (devices is null) throw new ArgumentNullException(nameof(devices));
        if (devices.Count == 0) return "No OpenCL device found (the OpenCL library loaded but reported no platform or device).";
        var text = new StringBuilder();
        text.AppendLine("  # | platform                         | device                                   | type        | units | clock MHz | global memory | local memory | gemm");
        foreach (OpenClDevice d in devices)
        {
            text.Append(string.Format(CultureInfo.InvariantCulture, "{0,3} | {1,-32} | {2,-40} | {3,-11} | {4,5} | {5,9} | {6,13} | {7,12} | {8}",
                d.Index, Clip(d.PlatformName, 32), Clip(d.Name, 40), d.Type + (d.IsUsable ? "" : " (n/a)"), d.ComputeUnits, d.MaxClockMHz,
                Bytes(d.GlobalMemoryBytes), Bytes(d.LocalMemoryBytes), OpenClGemmTuning.Describe(d)));
            text.AppendLine();
        }
        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "#{0} {1} on {2} ({3}, {4} compute units, {5} global, {6} local)",
        Index, Name, PlatformName, Type, ComputeUnits, Bytes(GlobalMemoryBytes), Bytes(LocalMemoryBytes));

    internal static unsafe IReadOnlyList<OpenClDevice> Enumerate(CL api)
    {
        var devices = new List<OpenClDevice>();
        uint platformCount = 0;
        int status = api.GetPlatformIDs(0, null, &platformCount);
        if (status == -1001 || platformCount == 0) return devices;            // CL_PLATFORM_NOT_FOUND_KHR: the loader found no driver
        ClCheck.Status(status, "clGetPlatformIDs");
        nint[] platforms = new nint[platformCount];
        fixed (nint* p = platforms) ClCheck.Status(api.GetPlatformIDs(platformCount, p, null), "clGetPlatformIDs");
        for (int pi = 0; pi < platforms.Length; pi++)
        {
            uint deviceCount = 0;
            status = api.GetDeviceIDs(platforms[pi], DeviceType.All, 0, null, &deviceCount);
            if (status == -1 || deviceCount == 0) continue;                    // CL_DEVICE_NOT_FOUND: a platform without devices
            ClCheck.Status(status, "clGetDeviceIDs");
            nint[] ids = new nint[deviceCount];
            fixed (nint* p = ids) ClCheck.Status(api.GetDeviceIDs(platforms[pi], DeviceType.All, deviceCount, p, null), "clGetDeviceIDs");
            foreach (nint id in ids)
            {
                var d = new OpenClDevice(platforms[pi], id, devices.Count, pi);
                d.Describe(api);
                devices.Add(d);
            }
        }
        return devices;
    }

    private void Describe(CL api)
    {
        PlatformName = PlatformString(api, PlatformInfo.Name);
        PlatformVendor = PlatformString(api, PlatformInfo.Vendor);
        PlatformVersion = PlatformString(api, PlatformInfo.Version);
        Name = DeviceString(api, DeviceInfo.Name);
        Vendor = DeviceString(api, DeviceInfo.Vendor);
        Version = DeviceString(api, DeviceInfo.Version);
        DriverVersion = DeviceString(api, DeviceInfo.DriverVersion);
        ulong type = DeviceValue<ulong>(api, DeviceInfo.Type);
        Type = (type & (ulong)DeviceType.Gpu) != 0 ? OpenClDeviceType.Gpu
            : (type & (ulong)DeviceType.Accelerator) != 0 ? OpenClDeviceType.Accelerator
            : (type & (ulong)DeviceType.Cpu) != 0 ? OpenClDeviceType.Cpu
            : OpenClDeviceType.Other;
        ComputeUnits = (int)DeviceValue<uint>(api, DeviceInfo.MaxComputeUnits);
        MaxClockMHz = (int)DeviceValue<uint>(api, DeviceInfo.MaxClockFrequency);
        GlobalMemoryBytes = (long)DeviceValue<ulong>(api, DeviceInfo.GlobalMemSize);
        MaxAllocationBytes = (long)DeviceValue<ulong>(api, DeviceInfo.MaxMemAllocSize);
        LocalMemoryBytes = (long)DeviceValue<ulong>(api, DeviceInfo.LocalMemSize);
        MaxWorkGroupSize = (int)Math.Min(int.MaxValue, (ulong)DeviceValue<nuint>(api, DeviceInfo.MaxWorkGroupSize));
        IsUsable = DeviceValue<uint>(api, DeviceInfo.Available) != 0 && DeviceValue<uint>(api, DeviceInfo.CompilerAvailable) != 0;
        HasCorrectlyRoundedDivideSqrt = (DeviceValue<ulong>(api, DeviceInfo.SingleFPConfig) & CorrectlyRoundedDivideSqrt) != 0;
        SharesHostMemory = OptionalDeviceValue<uint>(api, HostUnifiedMemory) != 0
            && (OptionalDeviceValue<ulong>(api, DeviceInfo.SvmCapabilities) & (ulong)DeviceSvmCapabilities.FineGrainBuffer) != 0;
    }

    private unsafe string PlatformString(CL api, PlatformInfo info)
    {
        nuint size = 0;
        ClCheck.Status(api.GetPlatformInfo(PlatformId, info, 0, null, &size), "clGetPlatformInfo");
        byte[] bytes = new byte[(int)size];
        fixed (byte* p = bytes) ClCheck.Status(api.GetPlatformInfo(PlatformId, info, size, p, null), "clGetPlatformInfo");
        return Text(bytes);
    }

    private unsafe string DeviceString(CL api, DeviceInfo info)
    {
        nuint size = 0;
        ClCheck.Status(api.GetDeviceInfo(DeviceId, info, 0, null, &size), "clGetDeviceInfo");
        byte[] bytes = new byte[(int)size];
        fixed (byte* p = bytes) ClCheck.Status(api.GetDeviceInfo(DeviceId, info, size, p, null), "clGetDeviceInfo");
        return Text(bytes);
    }

    private unsafe T DeviceValue<T>(CL api, DeviceInfo info) where T : unmanaged
    {
        T value = default;
        ClCheck.Status(api.GetDeviceInfo(DeviceId, info, (nuint)sizeof(T), &value, null), "clGetDeviceInfo");
        return value;
    }

    // A query an older device may refuse (OpenCL 1.x has no SVM; CL_DEVICE_HOST_UNIFIED_MEMORY is deprecated since 2.0): 0 then.
    private const DeviceInfo HostUnifiedMemory = (DeviceInfo)0x1035;   // CL_DEVICE_HOST_UNIFIED_MEMORY (the binding marks it obsolete)

    private unsafe T OptionalDeviceValue<T>(CL api, DeviceInfo info) where T : unmanaged
    {
        T value = default;
        return api.GetDeviceInfo(DeviceId, info, (nuint)sizeof(T), &value, null) == 0 ? value : default;
    }

    private static string Text(byte[] bytes)
    {
        int length = Array.IndexOf(bytes, (byte)0);
        return Encoding.UTF8.GetString(bytes, 0, length < 0 ? bytes.Length : length).Trim();
    }

    private static string Clip(string text, int width) => text.Length <= width ? text : text.Substring(0, width - 1) + "…";

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Format(CultureInfo.InvariantCulture, "{0:0.#} GiB", bytes / (double)(1L << 30)),
        >= 1L << 20 => string.Format(CultureInfo.InvariantCulture, "{0:0.#} MiB", bytes / (double)(1L << 20)),
        _ => string.Format(CultureInfo.InvariantCulture, "{0:0.#} KiB", bytes / 1024.0),
    };
}
