using System;
using System.Collections.Generic;
using Cortex.Backends;
using Cortex.Kernels;
using Cortex.Tensors;

namespace Cortex.OpenCL;

// Inference of a small network in one launch per batch tile (fused_forward): chosen when every width fits the kernel's
// private rows and the layers' weights and biases, one window of the parameter arena, fit the device's local memory.
public sealed partial class OpenClBackend : IFusedForwardBackend
{
    private const int FusedMaxWidth = 128, FusedLayoutInts = 6, LocalMemoryReserve = 1024;

    /// <summary>Lets tests run small networks layer by layer too (default true); read when a brain first predicts.</summary>
    internal bool PreferFusedForward { get; set; } = true;

    /// <summary>The most parameters (weights and biases, floats) a fused forward pass keeps in local memory on this device.</summary>
    internal int FusedForwardCapacity => (int)Math.Max(0, Math.Min(int.MaxValue / 4, (Device.LocalMemoryBytes - LocalMemoryReserve) / sizeof(float)));

    FusedForward? IFusedForwardBackend.PrepareFusedForward(IReadOnlyList<FusedLayer> layers)
    {
        lock (_sync)
        {
            ThrowIfDisposed();
            if (!PreferFusedForward || _fusedGroup == 0 || layers.Count == 0) return null;
            OpenClBuffer? arena = null;
            long start = long.MaxValue, end = 0;
            foreach (FusedLayer l in layers)
            {
                Own(l.Weight, "layers");
                Own(l.Bias, "layers");
                if (l.Inputs > FusedMaxWidth || l.Outputs > FusedMaxWidth || l.Inputs < 1 || l.Outputs < 1) return null;
                if (!Activation.IsDefined(l.Activation.Kind)) return null;
                if (l.Weight.Buffer is not OpenClBuffer w || l.Bias.Buffer is not OpenClBuffer b || !ReferenceEquals(w, b)) return null;
                if (arena is not null && !ReferenceEquals(arena, w)) return null;
                arena = w;
                start = Math.Min(start, Math.Min(l.Weight.Offset, l.Bias.Offset));
                end = Math.Max(end, Math.Max(l.Weight.Offset + (long)l.Weight.Length, l.Bias.Offset + (long)l.Bias.Length));
            }
            if (arena is null || end - start > FusedForwardCapacity) return null;
            int[] layout = new int[FusedLayoutInts * layers.Count];
            for (int i = 0; i < layers.Count; i++)
            {
                FusedLayer l = layers[i];
                if (i > 0 && l.Inputs != layers[i - 1].Outputs) return null;
                layout[FusedLayoutInts * i] = l.Inputs;
                layout[FusedLayoutInts * i + 1] = l.Outputs;
                layout[FusedLayoutInts * i + 2] = (int)(l.Weight.Offset - start);
                layout[FusedLayoutInts * i + 3] = (int)(l.Bias.Offset - start);
                layout[FusedLayoutInts * i + 4] = (int)l.Activation.Kind;
                layout[FusedLayoutInts * i + 5] = BitConverter.SingleToInt32Bits(l.Activation.Alpha);
            }
            var buffer = (OpenClBuffer)Allocate(layout.Length);
            float[] bits = new float[layout.Length];
            Buffer.BlockCopy(layout, 0, bits, 0, layout.Length * sizeof(int));
            Upload(buffer.All, bits);
            var window = new BufferSlice(arena, (int)start, (int)(end - start));
            return new OpenClFusedForward(this, buffer, window, layers.Count, layers[0].Inputs, layers[layers.Count - 1].Outputs);
        }
    }

    internal void RunFusedForward(OpenClFusedForward plan, BufferSlice y, BufferSlice x, int rows)
    {
        Check.Matrix(x.Length, rows, plan.Inputs, nameof(x));
        Check.Matrix(y.Length, rows, plan.Outputs, nameof(y));
        lock (_sync)
        {
            ThrowIfDisposed();
            Own(y, nameof(y));
            Own(x, nameof(x));
            if (rows == 0) return;
            Begin(_fusedForward);
            Push(y);
            Push(x);
            Push(plan.Window);
            Push(plan.Window.Length);
            PushMemory(plan.Layout);
            Push(plan.Layers);
            Push(rows);
            PushLocal(plan.Window.Length * sizeof(float));
            Run(rows, _fusedGroup);
        }
    }
}
