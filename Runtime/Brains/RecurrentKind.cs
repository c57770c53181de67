namespace Cortex;

/// <summary>Which recurrent cell a <see cref="RecurrentBrain"/> starts with.</summary>
public enum RecurrentKind : byte
{
    /// <summary>Elman RNN: h′ = tanh(x Wᵀ + h Uᵀ + b) (<see cref="Layers.ElmanRnn"/>).</summary>
    Rnn = 0,

    /// <summary>Gated recurrent unit (<see cref="Layers.Gru"/>).</summary>
    Gru = 1,
}
