using System;
using System.Collections.Generic;

namespace Cortex;

/// <summary>What a brain file holds, read without building the brain or reading its weights (<see cref="Serialization.BrainFile.ReadInfo(string)"/>).</summary>
public sealed class BrainInfo
{
    internal BrainInfo(int formatVersion, long fileLength, string name, DateTimeOffset created, long trainingSteps, string writer,
        IReadOnlyDictionary<string, string> userData, BrainSpec spec, long? optimizerSteps, bool hasRandomState, IReadOnlyList<string> sectionNames,
        RecurrentInfo? recurrent)
    {
        FormatVersion = formatVersion;
        FileLength = fileLength;
        Name = name;
        Created = created;
        TrainingSteps = trainingSteps;
        Writer = writer;
        UserData = userData;
        Spec = spec;
        OptimizerSteps = optimizerSteps;
        HasRandomState = hasRandomState;
        SectionNames = sectionNames;
        Recurrent = recurrent;
    }

    /// <summary>The file's format version.</summary>
    public int FormatVersion { get; }

    /// <summary>Header plus payload, in bytes.</summary>
    public long FileLength { get; }

    /// <summary>The brain's name ("" when it had none).</summary>
    public string Name { get; }

    /// <summary>When the file was written (UTC, millisecond precision).</summary>
    public DateTimeOffset Created { get; }

    /// <summary>Optimizer steps the brain had taken when it was saved.</summary>
    public long TrainingSteps { get; }

    /// <summary>The library that wrote the file, e.g. "Cortex 0.1.0".</summary>
    public string Writer { get; }

    /// <summary>The user's string entries.</summary>
    public IReadOnlyDictionary<string, string> UserData { get; }

    /// <summary>
    /// Architecture, loss, optimizer (as it was when saved) and batch limit. For a recurrent brain, the dense layers after
    /// the recurrent one: their <see cref="BrainSpec.Inputs"/> are the recurrent layer's units and
    /// <see cref="BrainSpec.MaxBatch"/> is <see cref="RecurrentBrain.MaxAgents"/>.
    /// </summary>
    public BrainSpec Spec { get; }

    /// <summary>True when the file holds a <see cref="RecurrentBrain"/> (load it with <see cref="Serialization.BrainFile.LoadRecurrent"/>).</summary>
    public bool IsRecurrent => Recurrent is not null;

    /// <summary>The recurrent layer in front of <see cref="Spec"/>'s layers, or null for a dense brain.</summary>
    public RecurrentInfo? Recurrent { get; }

    /// <summary>True when the file holds the optimizer moments and step count (training resumes exactly).</summary>
    public bool HasOptimizerState => OptimizerSteps.HasValue;

    /// <summary>The optimizer's step count stored with its moments, or null without optimizer state.</summary>
    public long? OptimizerSteps { get; }

    /// <summary>True when the file holds the brain's generator state.</summary>
    public bool HasRandomState { get; }

    /// <summary>Names of the extra float sections (see <see cref="Brain.Sections"/>).</summary>
    public IReadOnlyList<string> SectionNames { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"BrainInfo(\"{Name}\", v{FormatVersion}, {(Recurrent is null ? "" : Recurrent + " then ")}{Spec}, {TrainingSteps} steps, {FileLength} bytes)";
}
