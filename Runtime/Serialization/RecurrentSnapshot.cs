using System;
using System.Collections.Generic;
using Cortex.Backends;

namespace Cortex.Serialization;

/// <summary>
/// A <see cref="RecurrentBrain"/> to and from the payload (format 2): the recurrent layer in its own member, the dense
/// head in spec (whose inputs are the brain's inputs), parameters recurrent layer first. The checks are
/// <see cref="BrainSnapshot"/>'s; a recurrent brain has no generator, so its files hold no generator state.
/// </summary>
internal static class RecurrentSnapshot
{
    public static (BrainFileDto Dto, BrainFileFlags Flags) Capture(RecurrentBrain brain, BrainSaveOptions options)
    {
        var source = new BrainSnapshot.Source
        {
            Metadata = brain.Metadata,
            Steps = brain.Steps,
            Spec = BrainSnapshot.ToDto(brain.Inputs, brain.HeadSpecs, brain.Loss, brain.Optimizer, brain.MaxAgents),
            ParameterCount = brain.ParameterCount,
            CopyParameters = brain.CopyParametersTo,
            Backend = brain.Backend,
            Moment1 = brain.Moment1,
            Moment2 = brain.Moment2,
            Recurrent = new RecurrentDto
            {
                Kind = (byte)brain.Kind, Hidden = brain.StateWidth, RecurrentScale = brain.RecurrentScale, MaxSequence = brain.MaxSteps,
            },
        };
        return BrainSnapshot.Capture(source, options);
    }

    /// <summary>Builds the brain from a validated recurrent file. Backend errors pass through; the brain is disposed on failure.</summary>
    public static RecurrentBrain Build(BrainSnapshot.Validated v, IBackend? backend, BrainLoadOptions options)
    {
        RecurrentInfo r = v.Recurrent!;
        BrainSpec head = v.Spec;
        long workspace = RecurrentBrain.WorkspaceFloats(r.Inputs, r.Kind, r.Units, head.Layers, head.MaxBatch, r.MaxSequence);
        if (workspace > options.MaxWorkspaceFloats || workspace > int.MaxValue / 2)
        {
            throw new BrainFormatException(
                $"the brain's limits ({head.MaxBatch} agents, sequences of {r.MaxSequence} steps) need a workspace of about {workspace} floats, more than the " +
                $"{Math.Min(options.MaxWorkspaceFloats, int.MaxValue / 2)} BrainLoadOptions.MaxWorkspaceFloats allows; load it with a smaller " +
                "BrainLoadOptions.MaxBatch or MaxSequence, or raise the limit", field: "recurrent.maxSequence");
        }
        IBackend target = backend ?? new CpuBackend(1);
        RecurrentBrain brain;
        try
        {
            brain = new RecurrentBrain(r.Inputs, r.Kind, r.Units, r.RecurrentScale, head.Layers, head.Loss, head.Optimizer, head.MaxBatch, r.MaxSequence,
                options.Seed, target, ownsBackend: backend is null);
        }
        catch when (backend is null)
        {
            target.Dispose();
            throw;
        }
        try
        {
            brain.LoadParameters(v.Parameters);
            if (v.OptimizerSteps is long steps)
            {
                if (v.Moment1 is not null) brain.Backend.Upload(brain.Moment1!.All, v.Moment1);
                if (v.Moment2 is not null) brain.Backend.Upload(brain.Moment2!.All, v.Moment2);
                brain.RestoreSteps(steps);
            }
            brain.Name = v.Name;
            foreach (KeyValuePair<string, string> e in v.UserData) brain.UserData[e.Key] = e.Value;
            foreach (KeyValuePair<string, float[]> s in v.Sections) brain.Sections[s.Key] = s.Value;
            return brain;
        }
        catch
        {
            brain.Dispose();
            throw;
        }
    }
}
