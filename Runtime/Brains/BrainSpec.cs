using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Cortex;

/// <summary>One dense layer of a <see cref="BrainSpec"/>.</summary>
public readonly struct LayerSpec : IEquatable<LayerSpec>
{
    /// <summary>Describes a dense layer.</summary>
    /// <param name="outputs">Units, at least 1.</param>
    /// <param name="activation">Its activation.</param>
    /// <param name="init">Weight initialisation.</param>
    public LayerSpec(int outputs, Activation activation, WeightInit init = WeightInit.Auto)
    {
        if (outputs < 1) throw new ArgumentOutOfRangeException(nameof(outputs), outputs, "A layer needs at least one unit.");
        if ((uint)init > (uint)WeightInit.HeNormal)   // a range check: Enum.IsDefined boxes
            throw new ArgumentOutOfRangeException(nameof(init), init, "Unknown weight initialisation.");
        Outputs = outputs;
        Activation = activation;
        Init = init;
    }

    /// <summary>Units (outputs) of the layer.</summary>
    public int Outputs { get; }

    /// <summary>Its activation.</summary>
    public Activation Activation { get; }

    /// <summary>Its weight initialisation.</summary>
    public WeightInit Init { get; }

    /// <summary>Field-wise equality.</summary>
    /// <param name="other">The other layer.</param>
    public bool Equals(LayerSpec other) => Outputs == other.Outputs && Activation == other.Activation && Init == other.Init;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is LayerSpec other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Outputs, Activation, Init);

    /// <inheritdoc />
    public override string ToString() => $"Dense({Outputs}, {Activation})";
}

/// <summary>
/// Everything that defines a brain except its numbers: input width, layers, loss, optimizer, and the
/// largest batch its workspaces are sized for. Immutable and validated on construction.
/// </summary>
public sealed class BrainSpec : IEquatable<BrainSpec>
{
    /// <summary>The largest batch a spec may ask for (workspaces are allocated up front).</summary>
    public const int MaxBatchLimit = 1 << 20;

    /// <summary>The widest layer or input a spec may ask for.</summary>
    public const int MaxWidth = 1 << 20;

    /// <summary>Validates and creates a spec.</summary>
    /// <param name="inputs">Values per input row, at least 1.</param>
    /// <param name="layers">At least one layer.</param>
    /// <param name="loss">The training loss; must suit the last layer (see <see cref="Loss.ValidateOutputLayer"/>).</param>
    /// <param name="optimizer">The update rule.</param>
    /// <param name="maxBatch">Largest batch for <c>Train</c> (prediction splits larger batches), at least 1.</param>
    public BrainSpec(int inputs, IEnumerable<LayerSpec> layers, Loss loss, Optimizer optimizer, int maxBatch)
    {
        if (inputs < 1 || inputs > MaxWidth) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, $"inputs must lie in [1, {MaxWidth}].");
        if (layers is null) throw new ArgumentNullException(nameof(layers));
        LayerSpec[] list = layers.ToArray();
        if (list.Length == 0) throw new ArgumentException("A brain needs at least one layer.", nameof(layers));
        foreach (LayerSpec l in list)
        {
            if (l.Outputs < 1 || l.Outputs > MaxWidth) throw new ArgumentOutOfRangeException(nameof(layers), l.Outputs, $"Layer widths must lie in [1, {MaxWidth}].");
        }
        if (maxBatch < 1 || maxBatch > MaxBatchLimit) throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, $"maxBatch must lie in [1, {MaxBatchLimit}].");
        if (optimizer.LearningRate <= 0f) throw new ArgumentException("The optimizer is the default value; create one with Optimizer.Adam(), Optimizer.GradientDescent(...) or Optimizer.WithMomentum(...).", nameof(optimizer));
        loss.ValidateOutputLayer(list[list.Length - 1].Activation, list[list.Length - 1].Outputs);
        long parameters = 0;
        int fanIn = inputs;
        foreach (LayerSpec l in list)
        {
            parameters += (long)l.Outputs * fanIn + l.Outputs;
            fanIn = l.Outputs;
        }
        if (parameters > int.MaxValue / 2) throw new ArgumentException($"The brain would hold {parameters} parameters; at most {int.MaxValue / 2} fit one arena.", nameof(layers));
        long workspace = (long)maxBatch * (inputs + 4L * list.Max(l => l.Outputs)) + (long)maxBatch * list.Sum(l => 2L * l.Outputs);
        if (workspace > int.MaxValue / 2) throw new ArgumentException($"maxBatch {maxBatch} needs a workspace of {workspace} floats; lower it.", nameof(maxBatch));
        Inputs = inputs;
        Layers = list;
        Loss = loss;
        Optimizer = optimizer;
        MaxBatch = maxBatch;
        ParameterCount = (int)parameters;
    }

    /// <summary>Values per input row.</summary>
    public int Inputs { get; }

    /// <summary>Values per output row (the last layer's width).</summary>
    public int Outputs => Layers[Layers.Count - 1].Outputs;

    /// <summary>The layers, first to last.</summary>
    public IReadOnlyList<LayerSpec> Layers { get; }

    /// <summary>The training loss.</summary>
    public Loss Loss { get; }

    /// <summary>The update rule.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Largest training batch; the workspace size.</summary>
    public int MaxBatch { get; }

    /// <summary>Total weights and biases.</summary>
    public int ParameterCount { get; }

    /// <summary>This spec with another optimizer.</summary>
    /// <param name="optimizer">The new rule.</param>
    public BrainSpec WithOptimizer(Optimizer optimizer) => new(Inputs, Layers, Loss, optimizer, MaxBatch);

    /// <summary>This spec with another batch limit.</summary>
    /// <param name="maxBatch">The new limit.</param>
    public BrainSpec WithMaxBatch(int maxBatch) => new(Inputs, Layers, Loss, Optimizer, maxBatch);

    /// <summary>True when the layer shapes match (same parameter layout), whatever the loss and optimizer.</summary>
    /// <param name="other">The other spec.</param>
    public bool HasSameShape(BrainSpec other)
    {
        if (other is null || other.Inputs != Inputs || other.Layers.Count != Layers.Count) return false;
        for (int i = 0; i < Layers.Count; i++) if (Layers[i].Outputs != other.Layers[i].Outputs) return false;
        return true;
    }

    /// <summary>Field-wise equality.</summary>
    /// <param name="other">The other spec.</param>
    public bool Equals(BrainSpec? other) =>
        other is not null && Inputs == other.Inputs && Layers.SequenceEqual(other.Layers) && Loss == other.Loss
        && Optimizer == other.Optimizer && MaxBatch == other.MaxBatch;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BrainSpec other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Inputs, Layers.Count, Loss, Optimizer, MaxBatch);

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder().Append(Inputs);
        foreach (LayerSpec l in Layers) sb.Append(" -> ").Append(l.Outputs).Append(' ').Append(l.Activation);
        return sb.Append(", ").Append(Loss).Append(", ").Append(Optimizer).ToString();
    }
}
