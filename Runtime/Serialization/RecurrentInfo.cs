namespace Cortex;

/// <summary>The recurrent layer a brain file holds in front of its dense layers (<see cref="BrainInfo.Recurrent"/>).</summary>
public sealed class RecurrentInfo
{
    internal RecurrentInfo(RecurrentKind kind, int inputs, int units, float recurrentScale, int maxSequence)
    {
        Kind = kind;
        Inputs = inputs;
        Units = units;
        RecurrentScale = recurrentScale;
        MaxSequence = maxSequence;
    }

    /// <summary>GRU or Elman RNN.</summary>
    public RecurrentKind Kind { get; }

    /// <summary>Values per agent observation (the brain's inputs).</summary>
    public int Inputs { get; }

    /// <summary>Hidden units: the width of an agent's state row, and the dense head's inputs.</summary>
    public int Units { get; }

    /// <summary>The factor the Elman RNN's initial recurrent weights were drawn with (1 for a GRU).</summary>
    public float RecurrentScale { get; }

    /// <summary>The longest training sequence the brain's workspaces are sized for.</summary>
    public int MaxSequence { get; }

    /// <summary>Parameters of the recurrent layer (GRU: 3H·(In + H + 2); Elman: H·(In + H + 1)).</summary>
    internal long ParameterCount => Kind == RecurrentKind.Gru ? 3L * Units * (Inputs + Units + 2L) : (long)Units * (Inputs + Units + 1L);

    /// <inheritdoc />
    public override string ToString() => $"{(Kind == RecurrentKind.Gru ? "Gru" : "Rnn")}({Inputs} -> {Units})";
}
