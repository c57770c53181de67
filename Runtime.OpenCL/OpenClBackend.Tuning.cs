using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace Cortex.OpenCL;

// GEMM variants for large products (m and n at least 64; every product on a CPU device): the plain tiled kernel,
// register-blocked kernels of different tile sizes and work per item, and on CPU devices the one-item lanes kernels
// (GemmLanes.cl) of different tile heights, all bitwise equal. The first large product on a device measures them once
// (a 256 x 256 x 256 product each, best of three) unless the choice is already known (this process, the tuning file)
// or forced (CORTEX_OPENCL_GEMM, tests); the measurement is not counted in Counters.
public sealed partial class OpenClBackend
{
    private const int TuningSize = 256, TuningRuns = 3;

    /// <summary>
    /// Where measured GEMM variant choices are kept between processes (one line per device and driver), or null (the
    /// default) to keep them in memory only. Read and written at the first large product of a backend.
    /// </summary>
    public static string? GemmTuningFile { get; set; }

    /// <summary>
    /// The GEMM kernel variant this backend runs large products with (every product on a CPU device): "tiled",
    /// "blocked TxW" (T x T work-items, each computing W x W outputs) or, on CPU devices, "lanes Hx16/R" (one work-item
    /// computing H x 16 outputs, R rows at a time), or "" until its first such product chose it. The environment variable
    /// <c>CORTEX_OPENCL_GEMM</c> (a variant name) skips the measurement and forces that variant.
    /// </summary>
    public string GemmVariant
    {
        get
        {
            lock (_sync) return _gemmChosen?.Name ?? "";
        }
    }

    /// <summary>The usable variants' names, the tiled kernel first.</summary>
    internal IReadOnlyList<string> GemmVariantNames
    {
        get
        {
            var names = new string[_gemmVariants.Length];
            for (int i = 0; i < names.Length; i++) names[i] = _gemmVariants[i].Name;
            return names;
        }
    }

    /// <summary>Runs large products with the named variant (tests; null: measure as usual).</summary>
    internal void ForceGemmVariant(string? name)
    {
        lock (_sync) _gemmChosen = name is null ? null : Find(name) ?? throw new ArgumentException($"No usable GEMM variant \"{name}\".", nameof(name));
    }

    private GemmKernel? Find(string name)
    {
        foreach (GemmKernel g in _gemmVariants)
        {
            if (string.Equals(g.Name, name, StringComparison.OrdinalIgnoreCase)) return g;
        }
        return null;
    }

    // The variant for large products: forced, remembered, or measured now.
    private GemmKernel LargeGemm()
    {
        if (_gemmChosen is not null) return _gemmChosen;
        string? forced = Environment.GetEnvironmentVariable("CORTEX_OPENCL_GEMM");
        GemmKernel? chosen = forced is null ? null : Find(forced.Trim());
        if (chosen is null)
        {
            string? known = OpenClGemmTuning.Lookup(Device, GemmTuningFile);
            chosen = known is null ? null : Find(known);
        }
        if (chosen is null)
        {
            chosen = MeasureGemm();
            OpenClGemmTuning.Remember(Device, chosen.Name, GemmTuningFile);
        }
        _gemmChosen = chosen;
        return chosen;
    }

    private GemmKernel MeasureGemm()
    {
        if (_gemmVariants.Length == 1) return _gemmVariants[0];
        long launches = _launches, uploads = _uploads, bytesUp = _bytesUploaded, waits = _blockingWaits;
        const int n = TuningSize;
        using var a = (OpenClBuffer)Allocate(n * n);
        using var b = (OpenClBuffer)Allocate(n * n);
        using var c = (OpenClBuffer)Allocate(n * n);
        GemmKernel best = _gemmVariants[0];
        double bestSeconds = double.MaxValue;
        var clock = new Stopwatch();
        foreach (GemmKernel g in _gemmVariants)
        {
            double seconds = double.MaxValue;
            for (int run = 0; run <= TuningRuns; run++)
            {
                ClCheck.Status(_api.Finish(_queue.Value), "clFinish");
                clock.Restart();
                LaunchGemm(g, c.All, a.All, b.All, n, n, n, false, true, false, default, default, default);
                ClCheck.Status(_api.Finish(_queue.Value), "clFinish");
                if (run > 0) seconds = Math.Min(seconds, clock.Elapsed.TotalSeconds);    // run 0 warms the kernel up
            }
            if (seconds < bestSeconds) (best, bestSeconds) = (g, seconds);
        }
        QueueDrained();
        (_launches, _uploads, _bytesUploaded, _blockingWaits) = (launches, uploads, bytesUp, waits);
        return best;
    }

    /// <summary>
    /// A GEMM kernel: the tiled one (Threads 0), a register-blocked one (Threads x Threads items, Tile x Tile outputs), or
    /// a CPU one (LanesRows above 0: one-item work-groups, each LanesRows x 16 outputs).
    /// </summary>
    private sealed class GemmKernel
    {
        public GemmKernel(string name, ClHandle kernel, int threads, int tile, int lanesRows = 0)
        {
            LanesRows = lanesRows;
            Name = name;
            Kernel = kernel;
            Threads = threads;
            Tile = tile;
        }

        public static GemmKernel Lanes(string name, ClHandle kernel, int rows) => new(name, kernel, 0, 16, rows);

        public string Name { get; }

        public int LanesRows { get; }

        public ClHandle Kernel { get; }

        public int Threads { get; }

        public int Tile { get; }
    }
}
