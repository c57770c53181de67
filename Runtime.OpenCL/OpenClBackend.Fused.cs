using System;
using System.Collections.Generic;
using Cortex.Backends;
using Cortex.Kernels;
using Cortex.Tensors;

namespace Cortex.OpenCL;

// Inference of a small network in one launch: on a CPU device fused_forward_lanes (FusedLanes rows per work-item as
// vector lanes in private memory, every width at most FusedMaxWidth), elsewhere fused_forward (a row per work-item, a
// work-group's activations in local memory, which must fit).
public sealed partial class OpenClBackend : IFusedForwardBackend
{
    private const int FusedMaxWidth = 256, FusedLanesMaxWidth = 128, FusedLanes = 16, FusedLanesGroup = 4, FusedLayoutInts = 6, LocalMemoryReserve = 1024;

    /// <summary>Lets tests run small networks layer by layer too (default true); read when a brain first predicts.</summary>
    internal bool PreferFusedForward { get; set; } = true;

    /// <summary>Whether the fused pass runs rows as vector lanes (default on CPU devices) rather than a row per work-item; read when a brain first predicts.</summary>
    internal bool FusedOnLanes { get; set; }

    /// <summary>The most floats (two tiles of activations) a fused forward pass keeps in local memory on this device.</summary>
    internal int FusedForwardCapacity => (int)Math.Max(0, Math.Min(int.MaxValue / 4, (Device.LocalMemoryBytes - LocalMemoryReserve) / sizeof(float)));

    FusedForward? IFusedForwardBackend.PrepareFusedForward(IReadOnlyList<FusedLayer> layers)
    {
        lock (_sync)
        {
            ThrowIfDisposed();
            if (!PreferFusedForward || _fusedGroup == 0 || layers.Count == 0) return null;
            OpenClBuffer? arena = null;
            int maxWidth = layers[0].Inputs;
            foreach (FusedLayer l in layers)
            {
                Own(l.Weight, "layers");
                Own(l.Bias, "layers");
                if (l.Inputs > FusedMaxWidth || l.Outputs > FusedMaxWidth || l.Inputs < 1 || l.Outputs < 1) return null;
                if (!Activation.IsDefined(l.Activation.Kind)) return null;
                if (l.Weight.Buffer is not OpenClBuffer w || l.Bias.Buffer is not OpenClBuffer b || !ReferenceEquals(w, b)) return null;
                if (arena is not null && !ReferenceEquals(arena, w)) return null;
                arena = w;
                maxWidth = Math.Max(maxWidth, l.Outputs);
            }
            if (arena is null) return null;
            bool lanes = FusedOnLanes;
            if (lanes ? maxWidth > FusedLanesMaxWidth : 2L * _fusedGroup * maxWidth > FusedForwardCapacity) return null;
            int[] layout = new int[FusedLayoutInts * layers.Count];
            for (int i = 0; i < layers.Count; i++)
            {
                FusedLayer l = layers[i];
                if (i > 0 && l.Inputs != layers[i - 1].Outputs) return null;
                layout[FusedLayoutInts * i] = l.Inputs;
                layout[FusedLayoutInts * i + 1] = l.Outputs;
                layout[FusedLayoutInts * i + 2] = l.Weight.Offset;
                layout[FusedLayoutInts * i + 3] = l.Bias.Offset;
                layout[FusedLayoutInts * i + 4] = (int)l.Activation.Kind;
                layout[FusedLayoutInts * i + 5] = BitConverter.SingleToInt32Bits(l.Activation.Alpha);
            }
            var buffer = (OpenClBuffer)Allocate(layout.Length);
            float[] bits = new float[layout.Length];
            Buffer.BlockCopy(layout, 0, bits, 0, layout.Length * sizeof(int));
            Upload(buffer.All, bits);
            return new OpenClFusedForward(this, buffer, arena, layers.Count, layers[0].Inputs, layers[layers.Count - 1].Outputs, maxWidth, lanes);
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
            if (plan.OnLanes)
            {
                Begin(_fusedForwardLanes);
                Push(y);
                Push(x);
                PushMemory(plan.Arena);
                PushMemory(plan.Layout);
                Push(plan.Layers);
                Push(rows);
                Run((rows + FusedLanes - 1) / FusedLanes, FusedLanesGroup);
                return;
            }
            Begin(_fusedForward);
            Push(y);
            Push(x);
            PushMemory(plan.Arena);
            PushMemory(plan.Layout);
            Push(plan.Layers);
            Push(rows);
            Push(plan.MaxWidth);
            PushLocal(2 * _fusedGroup * plan.MaxWidth * sizeof(float));
            Run(rows, _fusedGroup);
        }
    }
}
